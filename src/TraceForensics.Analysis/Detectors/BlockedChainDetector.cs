using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Replay;
using TraceForensics.Replay.Tasks;

namespace TraceForensics.Analysis.Detectors;

/// <summary>Takes the wait chain of every task blocked past the threshold, every task khungtaskd reported, and every
/// task still blocked at the end of the trace (where a closed chain is a deadlock that persisted).</summary>
public sealed class BlockedChainDetector(AnalysisOptions options)
{
    private readonly HashSet<(int Pid, long Since)> _taken = new();
    private long _nextCheckNs = long.MinValue;

    public List<ChainCandidate> Candidates { get; } = new();

    public void AfterEvent(ReplayState s, in Events.Model.TraceEvent e)
    {
        if (e.Kind == Events.Model.EventKind.ProcessHang && s.Tasks.Get(e.Payload.OtherPid ?? e.Pid) is { } hung)
            Take(s, hung, force: true);
        if (e.TimestampNs < _nextCheckNs) return;
        _nextCheckNs = e.TimestampNs + options.CheckIntervalNs;
        CheckThreshold(s);
    }

    public void AtEnd(ReplayState s)
    {
        CheckThreshold(s);
        var graph = WaitForGraphBuilder.Build(s);
        // A task still in the same wait at the end: its chain as the whole input knows it (a kernel log names owners
        // and held locks after the report that made the candidate).
        for (int i = 0; i < Candidates.Count; i++)
        {
            var c = Candidates[i];
            if (s.Tasks.Get(c.Task.Pid) is not { IsBlocked: true } t || t.StateSinceNs != c.Task.BlockedSinceNs) continue;
            var chain = graph.Chain(NodeIds.Task(t.Pid), out bool cycle);
            Candidates[i] = c with { Chain = chain, Cycle = cycle };
        }
        foreach (var t in s.Tasks.Blocked.OrderBy(t => t.Pid))
        {
            var chain = graph.Chain(NodeIds.Task(t.Pid), out bool cycle);
            if (cycle) Candidates.Add(new ChainCandidate(Describe(s, t), chain, true, CycleClosedAt(s, chain)));
        }
    }

    private void CheckThreshold(ReplayState s)
    {
        WaitForGraph? graph = null; // one graph for every task that crosses the threshold at this time
        foreach (var t in s.Tasks.Blocked.OrderBy(t => t.Pid).ToList())
            if (s.NowNs - t.StateSinceNs >= options.StallThresholdNs) Take(s, t, force: false, ref graph);
    }

    private void Take(ReplayState s, TaskRecord t, bool force)
    {
        WaitForGraph? graph = null;
        Take(s, t, force, ref graph);
    }

    private void Take(ReplayState s, TaskRecord t, bool force, ref WaitForGraph? graph)
    {
        if (!t.IsBlocked && !force) return;
        if (!_taken.Add((t.Pid, t.StateSinceNs)) && !force) return;
        graph ??= WaitForGraphBuilder.Build(s);
        var chain = graph.Chain(NodeIds.Task(t.Pid), out bool cycle);
        Candidates.Add(new ChainCandidate(Describe(s, t), chain, cycle, s.NowNs));
    }

    private static FindingTask Describe(ReplayState s, TaskRecord t)
    {
        var stack = WaitForGraphBuilder.SleepStack(s, t);
        return new FindingTask(t.Pid, t.Comm, t.StateSinceNs, StackReader.BlockedIn(stack), stack, t.HangReport)
        {
            SinceUnknown = t.BlockedSinceUnknown,
            Workqueue = t.Workqueue,
            ReportedBlockedSeconds = t.ReportedBlockedSeconds,
            HeldLocks = HeldLockTexts(t),
        };
    }

    /// <summary>The locks a task holds as lockdep lists them: "(class)", with " at site" when known.</summary>
    internal static System.Collections.Immutable.ImmutableArray<string> HeldLockTexts(TaskRecord t) =>
        [.. t.HeldLocks.Select(h => h.Site is null ? $"({h.Class})" : $"({h.Class}) at {h.Site}")];

    /// <summary>A cycle closes when its last edge appears: the latest evidence line on it.</summary>
    private static long CycleClosedAt(ReplayState s, IReadOnlyList<WaitEdge> chain) =>
        chain.SelectMany(e => e.Lines).Select(l => l.TimestampNs).DefaultIfEmpty(s.NowNs).Max();
}
