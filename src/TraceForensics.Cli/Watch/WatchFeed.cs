using System.Text;
using TraceForensics.Cli.Commands;
using TraceForensics.Events.Model;
using TraceForensics.Tui;

namespace TraceForensics.Cli.Watch;

/// <summary>The watch engine as the live UI's source (<c>tracefx tui --live</c>): <see cref="WatchCommand.Run"/> on a
/// thread of its own, arming, replaying and writing incidents as <c>tracefx watch</c> does; each event its replay
/// releases (<see cref="LiveReplay.Released"/>) is handed over with its stack copied into this source's table (the watch
/// starts its replay again from the window now and then, with new tables; the events it replays again then are not
/// handed over twice), and its output lines become the source's messages. Disposing stops the watch and waits for it
/// to undo what it armed.</summary>
internal sealed class WatchFeed : ILiveSource, IDisposable
{
    private readonly object _lock = new();
    private List<TraceEvent> _pending = new();
    private readonly List<string> _messages = new();
    private readonly List<string> _said = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ManualResetEventSlim _armed = new();
    private readonly Task _watch;
    private bool _ended;
    // The stacks of the replay whose events are handed over, and their ids here.
    private StackTable? _from;
    private readonly Dictionary<int, int> _ids = new();

    /// <summary>Lines kept for <see cref="Said"/> at most (the oldest go).</summary>
    private const int MaxSaid = 1000;

    public WatchFeed(WatchCommand.Settings settings)
    {
        var lines = new LineWriter(Say);
        _watch = Task.Run(() =>
        {
            try { Exit = WatchCommand.Run(settings, lines, lines, _stop.Token, Tick); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or InvalidDataException)
            {
                Say($"tracefx: the watch stopped: {e.Message}");
                Exit = Program.ExitUsageOrNoInput;
            }
            finally
            {
                lock (_lock) { _ended = true; Monitor.PulseAll(_lock); }
                _armed.Set();
            }
        });
    }

    public string Name => "ring buffer";
    public StackTable Stacks { get; } = new();

    /// <summary>The watch's exit code once it has ended.</summary>
    public int? Exit { get; private set; }

    /// <summary>Every line the watch printed (the last <see cref="MaxSaid"/>), for stderr once the UI is gone.</summary>
    public IReadOnlyList<string> Said { get { lock (_lock) return _said.ToList(); } }

    /// <summary>Waits until the watch has armed tracefs (true) or ended without (false).</summary>
    public bool WaitArmed()
    {
        _armed.Wait();
        lock (_lock) return !_ended;
    }

    public bool Next(List<TraceEvent> events, List<string> messages, TimeSpan wait)
    {
        lock (_lock)
        {
            if (_pending.Count == 0 && _messages.Count == 0 && !_ended) Monitor.Wait(_lock, wait);
            events.AddRange(_pending);
            _pending = new List<TraceEvent>();
            messages.AddRange(_messages);
            _messages.Clear();
            return !_ended;
        }
    }

    /// <summary>At each tick of the watch (its thread): a replay not followed yet (the first, or one started again from
    /// the window) hands its events over from now on.</summary>
    private void Tick(LiveReplay live)
    {
        _armed.Set();
        if (live.Released is not null) return;
        var stacks = live.Tables.Stacks;
        live.Released = e => Release(e, stacks);
    }

    private void Release(TraceEvent e, StackTable stacks)
    {
        if (!ReferenceEquals(stacks, _from)) { _from = stacks; _ids.Clear(); }
        if (e.StackId != 0)
        {
            if (!_ids.TryGetValue(e.StackId, out int id))
            {
                // The only writer of this table is this thread; the UI reads it (StackTable allows that).
                Stacks.Begin();
                foreach (var frame in stacks.Get(e.StackId)) Stacks.AddFrame(frame);
                _ids[e.StackId] = id = Stacks.Complete();
            }
            e.StackId = id;
        }
        lock (_lock)
        {
            _pending.Add(e);
            if (_pending.Count == 1) Monitor.PulseAll(_lock);
        }
    }

    private void Say(string line)
    {
        lock (_lock)
        {
            _messages.Add(line);
            _said.Add(line);
            if (_said.Count > MaxSaid) _said.RemoveAt(0);
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Stops the watch and waits for it to undo what it armed (again: nothing).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stop.Cancel();
        _watch.Wait();
        _stop.Dispose();
        _armed.Dispose();
    }

    private bool _disposed;

    /// <summary>The watch's stdout and stderr: each line written becomes a message.</summary>
    private sealed class LineWriter(Action<string> say) : TextWriter
    {
        private readonly StringBuilder _line = new();
        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            lock (_line)
            {
                if (value == '\n') { say(_line.ToString().TrimEnd('\r')); _line.Clear(); }
                else _line.Append(value);
            }
        }

        public override void Write(string? value)
        {
            foreach (char c in value ?? "") Write(c);
        }
    }
}
