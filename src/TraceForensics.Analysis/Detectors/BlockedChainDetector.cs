using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Events.Model;
using TraceForensics.Replay;
using TraceForensics.Replay.Tasks;

namespace TraceForensics.Analysis.Detectors;

/// <summary>Takes the wait chain of every task blocked past the threshold, every task khungtaskd reported, and every
/// task still blocked when asked (where a closed chain is a deadlock that persisted). Reports deadlocks (one per
/// distinct cycle), then stalls and hung tasks grouped by their root blocker.</summary>
public sealed class BlockedChainDetector(AnalysisOptions options) : IDetector
{
    private readonly HashSet<(int Pid, long Since)> _taken = new();
    private readonly List<ChainCandidate> _candidates = new();
    private long _nextCheckNs = long.MinValue;

    public void Observe(ReplayState s, in TraceEvent e)
    {
        if (e.Kind == EventKind.ProcessHang && s.Tasks.Get(e.Payload.OtherPid ?? e.Pid) is { } hung)
            Take(s, hung, force: true);
        if (e.TimestampNs < _nextCheckNs) return;
        _nextCheckNs = e.TimestampNs + options.CheckIntervalNs;
        TaskChains? chains = null; // one reading of the graph for every task that crosses the threshold at this time
        foreach (var t in PastThreshold(s))
            if (_taken.Add((t.Pid, t.StateSinceNs))) _candidates.Add(Candidate(s, t, chains ??= TaskChains.At(s), s.NowNs));
    }

    private void Take(ReplayState s, TaskRecord t, bool force)
    {
        if (!t.IsBlocked && !force) return;
        if (!_taken.Add((t.Pid, t.StateSinceNs)) && !force) return;
        _candidates.Add(Candidate(s, t, TaskChains.At(s), s.NowNs));
    }

    private IEnumerable<TaskRecord> PastThreshold(ReplayState s) =>
        s.Tasks.Blocked.Where(t => s.NowNs - t.StateSinceNs >= options.StallThresholdNs).OrderBy(t => t.Pid).ToList();

    /// <summary>A task's chain now; <paramref name="atEnd"/>: now is the end of the input (what was captured when the
    /// recording ended holds).</summary>
    private static ChainCandidate Candidate(ReplayState s, TaskRecord t, TaskChains chains, long atNs, bool atEnd = false)
    {
        var node = WaitForGraphBuilder.Task(t);
        var chain = chains.Chain(node, out bool cycle);
        return new ChainCandidate(node, Describe(s, t), chain, cycle, atNs) { RootState = RequestServers.ServerState(s, chain, atEnd) };
    }

    public void Report(ReplayState s, FindingSet findings)
    {
        var graph = TaskChains.Of(WaitForGraphBuilder.Build(s), s);
        var candidates = new List<ChainCandidate>(_candidates);
        // Tasks past the threshold now that no periodic check has taken yet.
        foreach (var t in PastThreshold(s))
            if (!_taken.Contains((t.Pid, t.StateSinceNs))) candidates.Add(Candidate(s, t, graph, s.NowNs, atEnd: true));
        // A task still in the same wait now: its chain as the whole input knows it (a kernel log names owners and held
        // locks after the report that made the candidate).
        RefineFrozenWaits(s, candidates);
        for (int i = 0; i < candidates.Count; i++)
        {
            var c = candidates[i];
            if (s.Tasks.Get(c.Task.Pid) is not { IsBlocked: true } t || t.StateSinceNs != c.Task.BlockedSinceNs) continue;
            var chain = graph.Chain(c.Node, out bool cycle);
            candidates[i] = c with { Chain = chain, Cycle = cycle, RootState = RequestServers.ServerState(s, chain, atEnd: true) };
        }
        var closedAt = new CycleClosedAt(s);
        foreach (var t in s.Tasks.Blocked.OrderBy(t => t.Pid))
        {
            var chain = graph.Chain(WaitForGraphBuilder.Task(t), out bool cycle);
            if (cycle) candidates.Add(new ChainCandidate(WaitForGraphBuilder.Task(t), Describe(s, t), chain, true, closedAt.Of(chain)));
        }
        ReportDeadlocks(s, candidates, findings);
        ReportStalls(s, candidates, findings);
    }

    /// <summary>Chains taken while a loop worker was stuck, with what the input showed since (<see cref="WaitForGraphBuilder.Refine"/>):
    /// a worker's frozen filesystem named through the loop it served is named the same in the worker's own chain.</summary>
    private static void RefineFrozenWaits(ReplayState s, List<ChainCandidate> candidates)
    {
        var named = new Dictionary<TaskNode, WaitEdge>();
        // Arrays of chains shared by several tasks (TaskChains) that Refine leaves alone, and so every tail of them: no
        // loop-served edge, not ending at an unnamed frozen filesystem.
        var untouched = new Dictionary<WaitEdge[], bool>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < candidates.Count; i++)
        {
            if (candidates[i].Chain is ArraySegment<WaitEdge> { Array: { } shared } tail && tail.Offset + tail.Count == shared.Length)
            {
                if (!untouched.TryGetValue(shared, out bool alone))
                    untouched[shared] = alone = !WaitForGraphBuilder.Refinable(shared);
                if (alone) continue;
            }
            var refined = WaitForGraphBuilder.Refine(candidates[i].Chain, s);
            if (ReferenceEquals(refined, candidates[i].Chain)) continue;
            candidates[i] = candidates[i] with { Chain = refined };
            if (refined is [.., { From: TaskNode worker, To: FrozenFsNode { Dev: not null } } last]) named.TryAdd(worker, last);
        }
        for (int i = 0; i < candidates.Count; i++)
            if (candidates[i].Chain is { Count: > 0 } chain && chain[^1] is { From: TaskNode worker, To: FrozenFsNode { Dev: null } }
                && named.TryGetValue(worker, out var edge))
                candidates[i] = candidates[i] with { Chain = [.. chain.Take(chain.Count - 1), edge] };
    }

    /// <summary>One deadlock per distinct cycle, told from the task that blocked first.</summary>
    private static void ReportDeadlocks(ReplayState s, List<ChainCandidate> candidates, FindingSet findings)
    {
        // Grouped by the cycle's key, told apart by a number: a ring's key is as long as the ring, hashed once per cycle.
        var keys = new Dictionary<string, int>(StringComparer.Ordinal);
        int KeyOf(IReadOnlyList<WaitEdge> chain)
        {
            var key = Graph.Cycle.Of(chain)?.Key ?? WaitForGraph.CycleKey(chain);
            if (!keys.TryGetValue(key, out int id)) keys.Add(key, id = keys.Count);
            return id;
        }
        var byCycle = new Dictionary<Graph.Cycle, int>(ReferenceEqualityComparer.Instance);
        int IdOf(IReadOnlyList<WaitEdge> chain)
        {
            if (Graph.Cycle.Of(chain) is not { } shared) return KeyOf(chain);
            if (!byCycle.TryGetValue(shared, out int id)) byCycle.Add(shared, id = KeyOf(chain));
            return id;
        }
        foreach (var group in candidates.Where(c => c.Cycle).GroupBy(c => IdOf(c.Chain)))
        {
            var first = group.OrderBy(c => c.AtNs).First();
            // Only the tasks on the cycle: a task waiting behind it is not part of the deadlock.
            var onCycle = first.Chain.Select(e => e.From).ToHashSet();
            var tasks = group.Where(c => onCycle.Contains(c.Node)).Select(c => Current(s, c.Task))
                .DistinctBy(t => t.Pid).OrderBy(t => t.BlockedSinceNs).ThenBy(t => t.Pid).ToList();
            if (tasks.Count == 0) continue;
            var cycle = ChainText.RotateTo(first.Chain, group.Where(c => c.Task.Pid == tasks[0].Pid).Select(c => c.Node).First());
            findings.Add(FindingKind.Deadlock, $"deadlock: {ChainText.Narrate(cycle)}", first.AtNs, tasks, cycle, null);
        }
    }

    /// <summary>Stalls (a root the chain explains) and hung tasks (a root it does not), one per root blocker.</summary>
    private static void ReportStalls(ReplayState s, List<ChainCandidate> candidates, FindingSet findings)
    {
        var inCycle = findings.Deadlocked;
        foreach (var group in candidates.Where(c => !c.Cycle && !inCycle.Contains(c.Task.Pid)).GroupBy(c => c.Root))
        {
            var members = group.OrderByDescending(c => c.Chain.Count).ThenBy(c => c.AtNs).ToList();
            var tasks = members.Select(c => Current(s, c.Task)).GroupBy(t => t.Pid)
                .Select(g => g.OrderByDescending(t => t.HangReport is not null).First()).OrderBy(t => t.BlockedSinceNs)
                // tasks blocked since the same time (a log whose times have whole seconds) in the order the input reported them
                .ThenBy(t => t.HangReport?.Input ?? int.MaxValue).ThenBy(t => t.HangReport?.Line ?? long.MaxValue).ToList();
            var chain = new List<WaitEdge>();
            var inChain = new HashSet<(WaitNode, WaitNode)>();
            // A chain that is a tail of one already merged (TaskChains shares one array among the tasks of a line) adds
            // nothing: it is skipped instead of being walked again, so a line of N tasks costs N, not N squared.
            var mergedFrom = new Dictionary<WaitEdge[], int>(ReferenceEqualityComparer.Instance);
            foreach (var c in members)
            {
                if (c.Chain is ArraySegment<WaitEdge> { Array: { } shared } tail && tail.Offset + tail.Count == shared.Length)
                {
                    if (mergedFrom.TryGetValue(shared, out int from) && from <= tail.Offset) continue;
                    mergedFrom[shared] = tail.Offset;
                }
                foreach (var edge in c.Chain)
                    if (inChain.Add((edge.From, edge.To))) chain.Add(edge);
            }
            // A request server at the end of the chain (a FUSE daemon, a loop worker) is the root blocker, in whatever state.
            var serverState = members.Select(c => c.RootState).FirstOrDefault(r => r is not null);
            var kind = serverState is not null || IsRootBlocker(group.Key, s) ? FindingKind.Stall : FindingKind.HungTask;
            var summary = StallSummary(kind, tasks, group.Key, s);
            if (serverState is not null)
            {
                // Every waiter has left the wait it was taken in: the server did answer, late.
                bool cleared = tasks.All(t => s.Tasks.Get(t.Pid) is not { } r || r.Generation != t.Generation || !r.IsBlocked || r.StateSinceNs != t.BlockedSinceNs);
                summary += $" (its server, {serverState}{(cleared ? "; the stall cleared: the server answered late" : ", not answering")})";
            }
            findings.Add(kind, summary, tasks.Min(t => t.BlockedSinceNs), tasks, chain, group.Key);
        }
    }

    /// <summary>A root the chain explains: a device that does not complete, a frozen filesystem, a running task
    /// (holding what the others wait for). Anything else (an unnamed page, a lock without a known holder, the
    /// blocked task itself) leaves the blocker unknown.</summary>
    private static bool IsRootBlocker(WaitNode root, ReplayState s) =>
        root is DeviceNode or FrozenFsNode || (root is TaskNode t && IsRunning(s, t.Pid));

    private static bool IsRunning(ReplayState s, int pid) =>
        s.Tasks.Get(pid)?.State is TaskRunState.Running or TaskRunState.Runnable;

    private static string StallSummary(FindingKind kind, List<FindingTask> tasks, WaitNode root, ReplayState s)
    {
        string who = tasks.Count == 1 ? $"{tasks[0].Comm}:{tasks[0].Pid}" : $"{tasks.Count} tasks ({string.Join(", ", tasks.Take(3).Select(t => $"{t.Comm}:{t.Pid}"))}{(tasks.Count > 3 ? ", ..." : "")})";
        if (kind == FindingKind.HungTask)
        {
            if (root is TaskNode rt && tasks.All(t => t.Pid != rt.Pid) && s.Tasks.Get(rt.Pid) is { } r)
                return $"{who} blocked behind {r.Comm}:{rt.Pid}, itself blocked in " +
                       $"{WaitForGraphBuilder.SleepReading(s, r).Wait.BlockedIn ?? "an unknown wait"}; what blocks it is not in the input";
            return $"{who} blocked in {tasks[0].BlockedIn ?? UnknownWait(tasks[0])}; the blocker is not in the input";
        }
        string rootText = root.Label;
        if (root is TaskNode task) rootText += IsRunning(s, task.Pid) ? " (running)" : "";
        return $"stall: {who} blocked behind {rootText}";
    }

    /// <summary>An unknown blocked-in function, with syzkaller's reason when it would title the report "corrupted".</summary>
    private static string UnknownWait(FindingTask t) =>
        t.BlockedInCorrupted is { } why ? $"an unknown wait ({why}: syzkaller would title the report corrupted)" : "an unknown wait";

    /// <summary>The task as taken, with what reports and kernel-log details said of it since (they may come after the
    /// chain was taken).</summary>
    private static FindingTask Current(ReplayState s, FindingTask t)
    {
        var record = s.Tasks.Get(t.Pid);
        if (record is null || record.Generation != t.Generation) return t; // the pid now names a later life
        t = t with
        {
            Workqueue = record.Workqueue ?? t.Workqueue,
            ReportedBlockedSeconds = record.ReportedBlockedSeconds ?? t.ReportedBlockedSeconds,
            HeldLocks = record.HeldLocks.Count > t.HeldLocks.Length ? HeldLockTexts(record) : t.HeldLocks,
        };
        return record.HangReport is { } h && h.TimestampNs >= t.BlockedSinceNs ? t with { HangReport = h } : t;
    }

    private static FindingTask Describe(ReplayState s, TaskRecord t)
    {
        var stack = WaitForGraphBuilder.SleepStack(s, t);
        var wait = WaitForGraphBuilder.SleepReading(s, t).Wait;
        return new FindingTask(t.Pid, t.Comm, t.StateSinceNs, wait.BlockedIn, stack, t.HangReport)
        {
            StackCorrupted = wait.BlockedInCorrupted,
            Generation = t.Generation,
            SinceUnknown = t.BlockedSinceUnknown,
            Workqueue = t.Workqueue,
            ReportedBlockedSeconds = t.ReportedBlockedSeconds,
            HeldLocks = HeldLockTexts(t),
        };
    }

    /// <summary>The locks a task holds as lockdep lists them: "(class)", with " at site" when known.</summary>
    private static System.Collections.Immutable.ImmutableArray<string> HeldLockTexts(TaskRecord t) =>
        [.. t.HeldLocks.Select(h => h.Site is null ? $"({h.Class})" : $"({h.Class}) at {h.Site}")];

    /// <summary>A cycle closes when its last edge appears: the latest evidence line on it (found once per cycle: the
    /// same from each of its nodes).</summary>
    private sealed class CycleClosedAt(ReplayState s)
    {
        private readonly Dictionary<Graph.Cycle, long> _known = new(ReferenceEqualityComparer.Instance);

        public long Of(IReadOnlyList<WaitEdge> chain)
        {
            if (Graph.Cycle.Of(chain) is not { } shared) return Latest(chain);
            if (!_known.TryGetValue(shared, out long at)) _known.Add(shared, at = Latest(shared.Edges));
            return at;
        }

        private long Latest(IReadOnlyList<WaitEdge> chain) =>
            chain.SelectMany(e => e.Lines).Select(l => l.TimestampNs).DefaultIfEmpty(s.NowNs).Max();
    }
}
