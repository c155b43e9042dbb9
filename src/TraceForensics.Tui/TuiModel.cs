using TraceForensics.Analysis;
using TraceForensics.Analysis.Findings;
using TraceForensics.Events.Model;
using TraceForensics.Events.Reading;
using TraceForensics.Replay;
using TraceForensics.Replay.Snapshots;
using TraceForensics.Replay.Tasks;

namespace TraceForensics.Tui;

/// <summary>What the terminal UI browses: the events (kept up to a limit, for the log and the time cursor), the
/// findings (self-contained), and a replay that follows the cursor: forward by applying events, backward from the
/// replay checkpoint before the cursor (taken during the one load pass).</summary>
public sealed class TuiModel
{
    private ReplayEngine _cursorReplay;
    private int _applied; // events applied to _cursorReplay

    private readonly ReplayTimeline _checkpoints;

    private TuiModel(EventLog events, IReadOnlyList<Finding> findings, StackTable stacks, IReadOnlyList<string> paths,
                     ReplayTimeline? checkpoints = null)
    {
        _checkpoints = checkpoints ?? new ReplayTimeline();
        Events = events;
        Findings = findings;
        Stacks = stacks;
        Paths = paths;
        _cursorReplay = new ReplayEngine(stacks);
    }

    /// <summary>Every event of the trace, decoded on demand from the inputs (<see cref="EventLog"/>).</summary>
    public EventLog Events { get; }

    /// <summary>Per task, when its scheduling state changed: '=' on a cpu, 'R' runnable, 'S' sleeping, 'D' blocked,
    /// 'T' stopped, 'X' gone, '.' unknown (before it was seen, or after lost events); for the timeline strips. Taken from the replay's task tracker as the load goes.</summary>
    public Dictionary<int, List<(long Ns, char State)>> Timelines { get; } = new();
    public IReadOnlyList<Finding> Findings { get; }
    public StackTable Stacks { get; }
    public IReadOnlyList<string> Paths { get; }
    /// <summary>True when the trace had more events than the UI keeps (only with inputs that cannot be read again,
    /// stdin; the findings still cover all of them).</summary>
    public bool Truncated => Events.Truncated;

    /// <summary>Findings without a trace (a .NET process dump): the chain views work, the time views are empty.</summary>
    public static TuiModel ForFindings(IReadOnlyList<Finding> findings, IReadOnlyList<string> paths) =>
        new(EventLog.None, findings, new StackTable(), paths);

    /// <summary>Nothing yet: what the UI shows while the trace loads.</summary>
    public static TuiModel Empty(IReadOnlyList<string> paths) => new(EventLog.None, [], new StackTable(), paths);

    /// <summary>Runs the analysis (the same entry point and options as <c>tracefx analyze</c>, in the same one pass),
    /// indexing the events for browsing (<see cref="EventIndex"/>: all of them, decoded again on demand) and keeping
    /// each task's state changes for the timelines. When an input cannot be opened again (stdin), the first
    /// <paramref name="maxEvents"/> events are kept in memory instead. <paramref name="progress"/> is told the number
    /// of events read now and then.</summary>
    public static TuiModel Load(TraceSession session, AnalysisOptions options, int maxEvents = 1_000_000, Action<long>? progress = null,
                                CancellationToken cancel = default)
    {
        bool indexed = EventLog.CanIndex(session.Inputs);
        var index = new EventIndex(session.Inputs.Count);
        var kept = indexed ? null : new List<TraceEvent>();
        var timelines = new Dictionary<int, List<(long, char)>>();
        var checkpoints = ReplayTimeline.ByEvents(CheckpointEvents, MaxCheckpoints);
        bool truncated = false;
        ReplayState? live = null;
        var hooks = new AnalysisHooks
        {
            Started = state =>
            {
                live = state;
                state.Tasks.StateChanged += (t, runState, ns) =>
                {
                    if (!truncated && t.Pid > 0) Track(timelines, t.Pid, Letter(runState), ns);
                };
            },
            // The analysis replays the events exactly as the cursor will: its state is the cursor's checkpoint.
            Applying = (e, state) =>
            {
                if (!truncated) checkpoints.BeforeEvent(state, e, index.Count);
            },
            Applied = (e, _) =>
            {
                if (kept is null) { index.Add(e); return; }
                if (kept.Count < maxEvents) { kept.Add(e); index.Add(e); }
                else truncated = true;
            },
        };
        var result = TraceAnalysis.Run(session, options, progress, hooks, cancel);
        // The state at the end, so that the end of the trace (G) is reached without a replay.
        if (live is not null && !truncated) checkpoints.End(live, index.Count);
        var events = indexed ? EventLog.Indexed(index, session.Inputs, session.Tables) : EventLog.InMemory(kept!, truncated, index.LastHangReport);
        var model = new TuiModel(events, result.Findings, session.Tables.Stacks, result.Inputs.Select(i => i.Path).ToList(), checkpoints);
        foreach (var (pid, changes) in timelines) model.Timelines[pid] = changes;
        return model;
    }

    /// <summary>Events between the first checkpoints (the interval doubles as the trace goes on).</summary>
    public const int CheckpointEvents = 256;

    private static char Letter(TaskRunState state) => state switch
    {
        TaskRunState.Running => '=',
        TaskRunState.Runnable => 'R',
        TaskRunState.Sleeping => 'S',
        TaskRunState.Blocked => 'D',
        TaskRunState.Stopped => 'T',
        TaskRunState.Dead => 'X',
        _ => '.',
    };

    private static void Track(Dictionary<int, List<(long, char)>> timelines, int pid, char state, long ns)
    {
        if (!timelines.TryGetValue(pid, out var list)) timelines[pid] = list = new();
        if (list.Count == 0 || list[^1].Item2 != state) list.Add((ns, state));
    }

    /// <summary>The strip of a task's states over <paramref name="slots"/> slots of <paramref name="slotNs"/> centred on
    /// <paramref name="now"/>, with '|' at the cursor; '.' where the trace does not say.</summary>
    public string Strip(int pid, long now, int slots = 11, long slotNs = 1_000_000)
    {
        var b = new System.Text.StringBuilder(slots);
        Timelines.TryGetValue(pid, out var changes);
        for (int i = 0; i < slots; i++)
        {
            if (i == slots / 2) { b.Append('|'); continue; }
            long t = now + (i - slots / 2) * slotNs;
            char c = '.';
            if (changes is not null)
            {
                int lo = 0, hi = changes.Count - 1, found = -1;
                while (lo <= hi)
                {
                    int mid = (lo + hi) / 2;
                    if (changes[mid].Ns <= t) { found = mid; lo = mid + 1; } else hi = mid - 1;
                }
                if (found >= 0) c = changes[found].State;
            }
            b.Append(c);
        }
        return b.ToString();
    }

    /// <summary>Checkpoints kept for going back in time (each a copy of the live state; thinned when full).</summary>
    public const int MaxCheckpoints = 16;

    /// <summary>Checkpoints taken on the way by the last replay longer than <see cref="NearEvents"/> x 2 events (the
    /// load's checkpoints thin out on a long trace: hundreds of thousands of events apart), at most
    /// <see cref="NearCheckpoints"/>: going back a little from there replays a little.</summary>
    private readonly List<ReplayCheckpoint> _near = new();
    private const int NearCheckpoints = 16;
    private const int NearEvents = 1024;

    /// <summary>How many events the last <see cref="StateAt"/> applied to get there (for tests: going back does not
    /// replay from the start).</summary>
    public long LastReplayed { get; private set; }

    /// <summary>The replayed state after the events up to and including <paramref name="cursor"/>.</summary>
    public ReplayState StateAt(int cursor)
    {
        cursor = Math.Clamp(cursor, -1, Events.Count - 1);
        var c = _checkpoints.AtEvent(cursor + 1);
        // A checkpoint of the last long replay, if nearer (so that stepping back from there is not as long again).
        foreach (var near in _near)
            if (near.Applied <= cursor + 1 && (c is null || near.Applied > c.Applied)) c = near;
        if (cursor + 1 < _applied)
        {
            // Back in time: from the checkpoint before the cursor, not from the start.
            if (c is not null) { _cursorReplay = c.Resume(); _applied = (int)c.Applied; }
            else { _cursorReplay = new ReplayEngine(Stacks); _applied = 0; }
        }
        else if (c is not null && c.Applied > _applied)
        {
            // Far ahead: from the checkpoint before the cursor, not through every event between.
            _cursorReplay = c.Resume();
            _applied = (int)c.Applied;
        }
        long from = _applied;
        long every = cursor + 1 - from > NearEvents * 2 ? (cursor + 1 - from) / NearCheckpoints : 0;
        if (every > 0) _near.Clear();
        while (_applied <= cursor)
        {
            if (every > 0 && _applied > from && (_applied - from) % every == 0)
                _near.Add(new ReplayCheckpoint(_cursorReplay.State.NowNs, _applied, _cursorReplay.State.Clone()));
            _cursorReplay.Apply(Events[_applied++]);
        }
        LastReplayed = _applied - from;
        return _cursorReplay.State;
    }

    /// <summary>The index of the first event at or after <paramref name="ns"/> (Events.Count when none).</summary>
    public int IndexAt(long ns) => Events.IndexAt(ns);

    /// <summary>An event as a log line: time, cpu, task, event, the page it names (so the log can be filtered by page,
    /// <c>8:16:131:100</c>), where it was read.</summary>
    public string Line(in TraceEvent e)
    {
        var p = e.Payload;
        var page = p.Dev is { } d && p.Ino is ulong ino && p.Index is long index ? $" page {d}:{ino}:{index}" : "";
        return UntrustedText.ForTerminal($"{TraceTime.Format(e.TimestampNs)} [{e.Cpu:000}] {e.Comm}-{e.Pid} {e.Name}{page} ({Path.GetFileName(Paths[e.Source.Input])}:{e.Source.Line})");
    }
}
