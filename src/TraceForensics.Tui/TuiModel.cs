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

    private TuiModel(List<TraceEvent> events, IReadOnlyList<Finding> findings, StackTable stacks, IReadOnlyList<string> paths, bool truncated,
                     ReplayTimeline? checkpoints = null)
    {
        _checkpoints = checkpoints ?? new ReplayTimeline();
        Events = events;
        Findings = findings;
        Stacks = stacks;
        Paths = paths;
        Truncated = truncated;
        _cursorReplay = new ReplayEngine(stacks);
    }

    public List<TraceEvent> Events { get; }

    /// <summary>Per task, when its scheduling state changed: '=' on a cpu, 'R' runnable, 'S' sleeping, 'D' blocked,
    /// 'T' stopped, 'X' gone, '.' unknown (before it was seen, or after lost events); for the timeline strips. Taken from the replay's task tracker as the load goes.</summary>
    public Dictionary<int, List<(long Ns, char State)>> Timelines { get; } = new();
    public IReadOnlyList<Finding> Findings { get; }
    public StackTable Stacks { get; }
    public IReadOnlyList<string> Paths { get; }
    /// <summary>True when the trace had more events than the UI keeps (the findings still cover all of them).</summary>
    public bool Truncated { get; }

    /// <summary>Findings without a trace (a .NET process dump): the chain views work, the time views are empty.</summary>
    public static TuiModel ForFindings(IReadOnlyList<Finding> findings, IReadOnlyList<string> paths) =>
        new([], findings, new StackTable(), paths, truncated: false);

    /// <summary>Nothing yet: what the UI shows while the trace loads.</summary>
    public static TuiModel Empty(IReadOnlyList<string> paths) => new([], [], new StackTable(), paths, truncated: false);

    /// <summary>Runs the analysis (the same entry point and options as <c>tracefx analyze</c>), keeping up to
    /// <paramref name="maxEvents"/> events for browsing and each task's state changes for the timelines.
    /// <paramref name="progress"/> is told the number of events read now and then.</summary>
    public static TuiModel Load(TraceSession session, AnalysisOptions options, int maxEvents = 1_000_000, Action<long>? progress = null,
                                CancellationToken cancel = default)
    {
        var events = new List<TraceEvent>();
        var timelines = new Dictionary<int, List<(long, char)>>();
        var checkpoints = ReplayTimeline.ByEvents(256, MaxCheckpoints);
        bool truncated = false;
        var hooks = new AnalysisHooks
        {
            Started = state => state.Tasks.StateChanged += (t, runState, ns) =>
            {
                if (!truncated && t.Pid > 0) Track(timelines, t.Pid, Letter(runState), ns);
            },
            // The analysis replays the kept events exactly as the cursor will: its state is the cursor's checkpoint.
            Applying = (e, state) =>
            {
                if (events.Count < maxEvents) checkpoints.BeforeEvent(state, e, events.Count);
            },
            Applied = (e, _) =>
            {
                if (events.Count < maxEvents) events.Add(e);
                else truncated = true;
            },
        };
        var result = TraceAnalysis.Run(session, options, progress, hooks, cancel);
        var model = new TuiModel(events, result.Findings, session.Tables.Stacks, result.Inputs.Select(i => i.Path).ToList(), truncated, checkpoints);
        foreach (var (pid, changes) in timelines) model.Timelines[pid] = changes;
        return model;
    }

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
    public const int MaxCheckpoints = 64;

    /// <summary>How many events the last <see cref="StateAt"/> applied to get there (for tests: going back does not
    /// replay from the start).</summary>
    public long LastReplayed { get; private set; }

    /// <summary>The replayed state after the events up to and including <paramref name="cursor"/>.</summary>
    public ReplayState StateAt(int cursor)
    {
        cursor = Math.Clamp(cursor, -1, Events.Count - 1);
        if (cursor + 1 < _applied)
        {
            // Back in time: from the checkpoint before the cursor, not from the start.
            if (_checkpoints.AtEvent(cursor + 1) is { } c) { _cursorReplay = c.Resume(); _applied = (int)c.Applied; }
            else { _cursorReplay = new ReplayEngine(Stacks); _applied = 0; }
        }
        long from = _applied;
        while (_applied <= cursor) _cursorReplay.Apply(Events[_applied++]);
        LastReplayed = _applied - from;
        return _cursorReplay.State;
    }

    /// <summary>The index of the first event at or after <paramref name="ns"/> (Events.Count when none).</summary>
    public int IndexAt(long ns)
    {
        int lo = 0, hi = Events.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (Events[mid].TimestampNs < ns) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /// <summary>An event as a log line: time, cpu, task, event, the page it names (so the log can be filtered by page,
    /// <c>8:16:131:100</c>), where it was read.</summary>
    public string Line(in TraceEvent e)
    {
        var p = e.Payload;
        var page = p.Dev is { } d && p.Ino is ulong ino && p.Index is long index ? $" page {d}:{ino}:{index}" : "";
        return UntrustedText.ForTerminal($"{TraceTime.Format(e.TimestampNs)} [{e.Cpu:000}] {e.Comm}-{e.Pid} {e.Name}{page} ({Path.GetFileName(Paths[e.Source.Input])}:{e.Source.Line})");
    }
}
