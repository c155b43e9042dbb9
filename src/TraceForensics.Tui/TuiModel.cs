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
public sealed partial class TuiModel
{
    private ReplayEngine _cursorReplay;
    private int _applied; // events applied to _cursorReplay

    private ReplayTimeline _checkpoints; // replaced when the live log drops its oldest events (TuiModel.Live.cs)

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

    /// <summary>Per task, what it did when (scheduling states and the reclaim, fault and writeback-wait spans), for
    /// the timeline strips; taken from the replay's task tracker as the load goes.</summary>
    public TaskTimelines Timelines { get; private init; } = new();
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
    /// of events read now and then; <paramref name="partial"/>, about every <paramref name="partialEvery"/>, the
    /// findings and tasks so far (on the load's thread, between events): as many tasks as <paramref name="partialTasks"/>
    /// says the view shows (asked each time; all up to <see cref="TaskLines.Max"/> when not given).</summary>
    public static TuiModel Load(TraceSession session, AnalysisOptions options, int maxEvents = 1_000_000, Action<long>? progress = null,
                                CancellationToken cancel = default, Action<LoadProgress>? partial = null, TimeSpan? partialEvery = null,
                                Func<int>? partialTasks = null)
    {
        bool indexed = EventLog.CanIndex(session.Inputs);
        var index = new EventIndex(session.Inputs.Count);
        var kept = indexed ? null : new List<TraceEvent>();
        var timelines = new TaskTimelines();
        var checkpoints = ReplayTimeline.ByEvents(CheckpointEvents, MaxCheckpoints);
        bool truncated = false;
        ReplayState? live = null;
        Analyzer? analyzer = null;
        var every = partialEvery ?? TimeSpan.FromSeconds(1);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var next = every;
        long read = 0;
        var hooks = new AnalysisHooks
        {
            Started = state =>
            {
                live = state;
                state.Tasks.StateChanged += (t, _, ns) => { if (!truncated) timelines.Track(t, ns); };
            },
            Analyzing = a => analyzer = a,
            // The analysis replays the events exactly as the cursor will: its state is the cursor's checkpoint.
            Applying = (in TraceEvent e, ReplayState state) =>
            {
                if (!truncated) checkpoints.BeforeEvent(state, e, index.Count);
            },
            Applied = (in TraceEvent e, ReplayState state) =>
            {
                read++;
                // The spans (reclaim, fault, writeback wait) change with the task's own events, not only its state.
                if (!truncated && e.Pid > 0 && state.Tasks.Get(e.Pid) is { } t) timelines.Track(t, e.TimestampNs);
                if (kept is null) index.Add(e);
                else if (kept.Count < maxEvents) { kept.Add(e); index.Add(e); }
                else truncated = true;
                if (partial is not null && (read & 0xFFF) == 0 && clock.Elapsed >= next)
                {
                    var asked = clock.Elapsed;
                    var findings = analyzer!.Findings();
                    long now = e.TimestampNs;
                    partial(new LoadProgress(read, findings, TaskLines.Of(state, now, pid => timelines.Strip(pid, now, StripSlots, StripSlotNs),
                                                                          partialTasks?.Invoke() ?? TaskLines.Max), now));
                    // Asking costs a little: at most a tenth of the load's time, however long the answer takes (every
                    // 4096 events when no interval is asked for: the tests).
                    var took = clock.Elapsed - asked;
                    next = every == TimeSpan.Zero ? TimeSpan.Zero : clock.Elapsed + (took * 10 > every ? took * 10 : every);
                }
            },
        };
        var result = TraceAnalysis.Run(session, options, progress, hooks, cancel);
        // The state at the end, so that the end of the trace (G) is reached without a replay.
        if (live is not null && !truncated) checkpoints.End(live, index.Count);
        if (indexed && partial is not null && EventLog.WillSpill(session.Inputs) && live is not null)
        {
            // Decompressing into the spill file takes a while on a large input: the UI shows the findings meanwhile.
            long now = live.NowNs;
            partial(new LoadProgress(read, result.Findings, TaskLines.Of(live, now, pid => timelines.Strip(pid, now, StripSlots, StripSlotNs)), now,
                                     "decompressing the compressed input into a spill file for the event log"));
        }
        var events = indexed ? EventLog.Indexed(index, session.Inputs, session.Tables, cancel) : EventLog.InMemory(kept!, truncated, index.LastHangReport);
        return new TuiModel(events, result.Findings, session.Tables.Stacks, result.Inputs.Select(i => i.Path).ToList(), checkpoints)
        {
            Timelines = timelines,
        };
    }

    /// <summary>Events between the first checkpoints (the interval doubles as the trace goes on).</summary>
    public const int CheckpointEvents = 256;

    /// <summary>The strip's default: 11 columns (5 either side of the cursor) of 1 ms.</summary>
    public const int StripSlots = 11;
    public const long StripSlotNs = 1_000_000;

    /// <summary>The strip of a task's states over <paramref name="slots"/> columns of <paramref name="slotNs"/> centred on
    /// <paramref name="now"/>, with '|' at the cursor (<see cref="TaskTimelines"/>).</summary>
    public string Strip(int pid, long now, int slots = StripSlots, long slotNs = StripSlotNs) => Timelines.Strip(pid, now, slots, slotNs);

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
