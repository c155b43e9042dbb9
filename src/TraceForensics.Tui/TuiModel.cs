using TraceForensics.Analysis;
using TraceForensics.Analysis.Findings;
using TraceForensics.Events.Model;
using TraceForensics.Events.Reading;
using TraceForensics.Replay;

namespace TraceForensics.Tui;

/// <summary>What the terminal UI browses: the events (kept up to a limit, for the log and the time cursor), the
/// findings, and a replay that follows the cursor (forward by applying events, backward by replaying again).</summary>
public sealed class TuiModel
{
    private ReplayEngine _cursorReplay;
    private int _applied; // events applied to _cursorReplay

    private TuiModel(List<TraceEvent> events, IReadOnlyList<Finding> findings, ReplayState finalState, StackTable stacks,
                     IReadOnlyList<string> paths, bool truncated)
    {
        Events = events;
        Findings = findings;
        FinalState = finalState;
        Stacks = stacks;
        Paths = paths;
        Truncated = truncated;
        _cursorReplay = new ReplayEngine(stacks);
    }

    public List<TraceEvent> Events { get; }
    public IReadOnlyList<Finding> Findings { get; }
    public ReplayState FinalState { get; }
    public StackTable Stacks { get; }
    public IReadOnlyList<string> Paths { get; }
    /// <summary>True when the trace had more events than the UI keeps (the findings still cover all of them).</summary>
    public bool Truncated { get; }

    /// <summary>Reads every event, analyses them, keeps up to <paramref name="maxEvents"/> for browsing.
    /// <paramref name="progress"/> is told the number of events read now and then.</summary>
    public static TuiModel Load(TraceSession session, int maxEvents = 2_000_000, Action<long>? progress = null)
    {
        var analyzer = new Analyzer(session.Tables.Stacks);
        var events = new List<TraceEvent>();
        long n = 0;
        bool truncated = false;
        while (session.Read(out var e))
        {
            analyzer.Observe(e);
            if (events.Count < maxEvents) events.Add(e); else truncated = true;
            if ((++n & 0xFFFF) == 0) progress?.Invoke(n);
        }
        var findings = analyzer.Finish();
        return new TuiModel(events, findings, analyzer.State, session.Tables.Stacks, session.Inputs.Select(i => i.Path).ToList(), truncated);
    }

    /// <summary>The replayed state after the events up to and including <paramref name="cursor"/>.</summary>
    public ReplayState StateAt(int cursor)
    {
        cursor = Math.Clamp(cursor, -1, Events.Count - 1);
        if (cursor + 1 < _applied)
        {
            _cursorReplay = new ReplayEngine(Stacks);
            _applied = 0;
        }
        while (_applied <= cursor) _cursorReplay.Apply(Events[_applied++]);
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

    public string Line(in TraceEvent e) =>
        UntrustedText.ForTerminal($"{TraceTime.Format(e.TimestampNs)} [{e.Cpu:000}] {e.Comm}-{e.Pid} {e.Name} ({Path.GetFileName(Paths[e.Source.Input])}:{e.Source.Line})");
}
