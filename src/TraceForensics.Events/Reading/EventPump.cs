using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using TraceForensics.Events.Model;

namespace TraceForensics.Events.Reading;

/// <summary>Runs a session's reading (the inputs' readers and their merge) on a thread of its own and hands the merged
/// events over in batches, so the one who takes them (the replay) has a core to itself. The events come out exactly as
/// the merge made them, in the same order; the batches are few and reused, so the reading never runs far ahead and
/// memory stays bounded. Both sides sleep on a monitor when they wait (no spinning: on two cores a spinning thread takes
/// the core the other needs). An exception of the reading is thrown again to the taker.</summary>
internal sealed class EventPump : IDisposable
{
    private const int BatchSize = 2048;
    private const int Batches = 4;

    private readonly TraceSession.MergedReader _read;
    private readonly long _stopAfterNs;
    private readonly object _gate = new();
    private readonly Queue<Batch> _full = new();
    private readonly Stack<Batch> _empty = new();
    private readonly Thread _thread;
    private bool _done;      // the reading thread has handed over its last batch
    private bool _stopping;  // the taker has gone
    private Batch? _current;
    private int _next;
    private ExceptionDispatchInfo? _failure;

    private sealed class Batch
    {
        public readonly TraceEvent[] Events = new TraceEvent[BatchSize];
        public int Count;
    }

    /// <summary>Starts reading with <paramref name="read"/> (the merge); the reading ends after the first event later
    /// than <paramref name="stopAfterNs"/>, which is handed over, as a taker that stops there would have left it.</summary>
    public EventPump(TraceSession.MergedReader read, long stopAfterNs)
    {
        _read = read;
        _stopAfterNs = stopAfterNs;
        for (int i = 0; i < Batches; i++) _empty.Push(new Batch());
        _thread = new Thread(Run) { IsBackground = true, Name = "tracefx reading" };
        _thread.Start();
    }

    private void Run()
    {
        try
        {
            bool more = true;
            while (more)
            {
                Batch batch;
                lock (_gate)
                {
                    while (_empty.Count == 0 && !_stopping) Monitor.Wait(_gate);
                    if (_stopping) return;
                    batch = _empty.Pop();
                }
                batch.Count = 0;
                while (batch.Count < BatchSize)
                {
                    ref var e = ref batch.Events[batch.Count];
                    if (!_read(out e)) { more = false; break; }
                    batch.Count++;
                    if (e.TimestampNs > _stopAfterNs) { more = false; break; }
                }
                lock (_gate)
                {
                    _full.Enqueue(batch);
                    Monitor.PulseAll(_gate);
                }
            }
        }
        catch (Exception e)
        {
            _failure = ExceptionDispatchInfo.Capture(e);
        }
        finally
        {
            lock (_gate)
            {
                _done = true;
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>The next event; false at the end.</summary>
    public bool Read(out TraceEvent e)
    {
        ref readonly var next = ref Next();
        if (Unsafe.IsNullRef(in next))
        {
            e = default;
            return false;
        }
        e = next;
        return true;
    }

    /// <summary>The next event where it lies in its batch, good until the next call (the batch goes back to the reading
    /// only then): the taker reads it in place, without a copy of the large event per event (issue 15: the copy was
    /// about a tenth of the replay thread's time). A null reference at the end.</summary>
    public ref readonly TraceEvent Next()
    {
        while (_current is null || _next == _current.Count)
        {
            lock (_gate)
            {
                if (_current is not null)
                {
                    _empty.Push(_current);
                    _current = null;
                    Monitor.PulseAll(_gate);
                }
                while (_full.Count == 0 && !_done) Monitor.Wait(_gate);
                if (_full.Count == 0)
                {
                    _failure?.Throw();
                    return ref Unsafe.NullRef<TraceEvent>();
                }
                _current = _full.Dequeue();
                _next = 0;
            }
        }
        return ref _current.Events[_next++];
    }

    /// <summary>Stops the reading and waits for its thread to end (so that the readers can be closed).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        _thread.Join();
    }
}
