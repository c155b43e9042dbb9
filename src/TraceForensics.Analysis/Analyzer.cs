using TraceForensics.Analysis.Detectors;
using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Events.Model;
using TraceForensics.Replay;
using TraceForensics.Replay.Tasks;

namespace TraceForensics.Analysis;

/// <summary>Replays events and runs the detectors as it goes; <see cref="Finish"/> turns what they took into
/// ranked findings: deadlocks (closed chains), stalls (chains to a root blocker), hung tasks with no known
/// blocker, notes.</summary>
public sealed class Analyzer
{
    private readonly ReplayEngine _engine;
    private readonly BlockedChainDetector _chains;
    private readonly ReclaimWritebackDetector _reclaim = new();
    private readonly InversionDetector _inversions = new();
    private readonly LockdepReportDetector _lockdep = new();

    public Analyzer(StackTable stacks, AnalysisOptions? options = null)
    {
        _engine = new ReplayEngine(stacks);
        _chains = new BlockedChainDetector(options ?? new AnalysisOptions());
    }

    public ReplayState State => _engine.State;

    public void Observe(in TraceEvent e)
    {
        _engine.Apply(e);
        _chains.AfterEvent(_engine.State, e);
        _reclaim.AfterEvent(_engine.State, e);
        _inversions.AfterEvent(_engine.State, e);
        _lockdep.AfterEvent(e);
    }

    public IReadOnlyList<Finding> Finish()
    {
        var s = _engine.State;
        _chains.AtEnd(s);
        // A hang report may come after a chain was taken: every task carries the report made of it.
        FindingTask Current(FindingTask t)
        {
            var record = s.Tasks.Get(t.Pid);
            if (record is null) return t;
            // Reports and kernel-log details may come after the chain was taken.
            t = t with
            {
                Workqueue = record.Workqueue ?? t.Workqueue,
                ReportedBlockedSeconds = record.ReportedBlockedSeconds ?? t.ReportedBlockedSeconds,
                HeldLocks = record.HeldLocks.Count > t.HeldLocks.Length ? BlockedChainDetector.HeldLockTexts(record) : t.HeldLocks,
            };
            return record.HangReport is { } h && h.TimestampNs >= t.BlockedSinceNs ? t with { HangReport = h } : t;
        }
        var findings = new List<(FindingKind Kind, string Summary, long At, List<FindingTask> Tasks, List<WaitEdge> Chain, string? Root)>();

        // Deadlocks: one per distinct cycle.
        foreach (var group in _chains.Candidates.Where(c => c.Cycle)
                     .GroupBy(c => WaitForGraph.CycleKey(c.Chain)))
        {
            var first = group.OrderBy(c => c.AtNs).First();
            // Only the tasks on the cycle: a task waiting behind it is not part of the deadlock.
            var onCycle = first.Chain.Select(e => e.From).ToHashSet(StringComparer.Ordinal);
            var tasks = group.Select(c => Current(c.Task)).Where(t => onCycle.Contains(NodeIds.Task(t.Pid)))
                .DistinctBy(t => t.Pid).OrderBy(t => t.BlockedSinceNs).ThenBy(t => t.Pid).ToList();
            if (tasks.Count == 0) continue;
            // Tell the cycle from the task that blocked first.
            var cycle = ChainText.RotateTo(first.Chain, NodeIds.Task(tasks[0].Pid));
            findings.Add((FindingKind.Deadlock, DeadlockSummary(cycle, s), first.AtNs, tasks, cycle, null));
        }
        var inCycle = findings.SelectMany(f => f.Tasks).Select(t => t.Pid).ToHashSet();

        // Stalls and hung tasks: grouped by root blocker.
        foreach (var group in _chains.Candidates.Where(c => !c.Cycle && !inCycle.Contains(c.Task.Pid)).GroupBy(c => c.Root))
        {
            var members = group.OrderByDescending(c => c.Chain.Count).ThenBy(c => c.AtNs).ToList();
            var tasks = members.Select(c => Current(c.Task)).GroupBy(t => t.Pid)
                .Select(g => g.OrderByDescending(t => t.HangReport is not null).First()).OrderBy(t => t.BlockedSinceNs).ToList();
            var chain = new List<WaitEdge>();
            foreach (var c in members)
                foreach (var edge in c.Chain)
                    if (!chain.Any(x => x.From == edge.From && x.To == edge.To)) chain.Add(edge);
            var kind = IsRootBlocker(group.Key, s) ? FindingKind.Stall : FindingKind.HungTask;
            findings.Add((kind, StallSummary(kind, tasks, group.Key, s), tasks.Min(t => t.BlockedSinceNs), tasks, chain, group.Key));
        }

        // Potential deadlocks: class cycles whose witnesses did not actually deadlock here.
        foreach (var (cycle, witnesses) in _inversions.Cycles())
        {
            if (witnesses.All(w => inCycle.Contains(w.Pid))) continue; // this run's deadlock already shows it
            var tasks = witnesses.DistinctBy(w => w.Pid).OrderBy(w => w.BlockedSinceNs).ToList();
            findings.Add((FindingKind.PotentialDeadlock, InversionSummary(cycle), cycle.Max(e => e.Lines.Max(l => l.TimestampNs)), tasks, cycle, null));
        }

        foreach (var (pid, comm, report, cycle) in _lockdep.Reports)
        {
            var held = cycle[0].From["lock:".Length..];
            var wanted = cycle[0].To["lock:".Length..];
            findings.Add((FindingKind.PotentialDeadlock,
                report == "dept"
                    ? $"possible deadlock (DEPT): a context holding ({held}) waits for ({wanted}), and one holding ({wanted}) waits for ({held})"
                    : held == wanted
                    ? $"possible recursive locking (lockdep): {comm}:{pid} holds ({held}) and is trying to acquire it again"
                    : $"possible deadlock (lockdep): {comm}:{pid} holds ({held}) and is trying to acquire ({wanted}), which already depends on ({held})",
                cycle[0].Lines[0].TimestampNs,
                pid < 0 ? [] : [new FindingTask(pid, comm, cycle[0].Lines[0].TimestampNs, null, [], null) { SinceUnknown = true }], cycle, null));
        }

        if (_reclaim.Count > 0)
        {
            var w = _reclaim.Witnesses;
            var tasks = w.Select(x => new FindingTask(x.Pid, x.Comm, x.Line.TimestampNs, StackReader.BlockedIn(s.Stacks.Get(x.StackId)),
                s.Stacks.Get(x.StackId), null)).DistinctBy(t => t.Pid).ToList();
            findings.Add((FindingKind.Note,
                $"reclaim from a page fault waited on page writeback {_reclaim.Count} time{(_reclaim.Count == 1 ? "" : "s")}: memcg reclaim " +
                "inside a fault, the precondition of the LKML fault/writeback deadlock (a deadlock only if the fault holds a page " +
                "lock the writeback needs)",
                w[0].Line.TimestampNs, tasks, [], null));
        }

        return findings
            .OrderByDescending(f => f.Kind).ThenBy(f => f.At).ThenBy(f => f.Summary, StringComparer.Ordinal)
            .Select((f, i) => new Finding
            {
                Id = $"F{i + 1}", Kind = f.Kind, Summary = f.Summary, AtNs = f.At, Tasks = f.Tasks, Chain = f.Chain, Root = f.Root,
            })
            .ToList();
    }

    /// <summary>A root the chain explains: a device that does not complete, a frozen filesystem, a running task
    /// (holding what the others wait for). Anything else (an unnamed page, a lock without a known holder, the
    /// blocked task itself) leaves the blocker unknown.</summary>
    private static bool IsRootBlocker(string root, ReplayState s) =>
        root.StartsWith("device:", StringComparison.Ordinal) || root.StartsWith("freeze:", StringComparison.Ordinal)
        || (NodeIds.IsTask(root, out int pid) && IsRunning(s, pid));

    private static bool IsRunning(ReplayState s, int pid) =>
        s.Tasks.Get(pid)?.State is TaskRunState.Running or TaskRunState.Runnable;

    private static string DeadlockSummary(IReadOnlyList<WaitEdge> cycle, ReplayState s) =>
        $"deadlock: {ChainText.Narrate(cycle, s)}";

    private static string InversionSummary(List<WaitEdge> cycle)
    {
        static string Class(string c) => c == InversionDetector.PageLock ? "a page lock" : c == InversionDetector.PageWriteback ? "page writeback" : c;
        var parts = cycle.Select(e =>
        {
            var who = e.Relation[InversionDetector.RelationPrefix.Length..];
            var held = e.From == InversionDetector.PageWriteback ? "owned an unsubmitted bio with pages under writeback" : $"held {Class(e.From)}";
            return $"{who} {held} while waiting for {Class(e.To)}";
        });
        return $"possible deadlock (no cycle in this run): {string.Join("; ", parts)}";
    }

    private static string StallSummary(FindingKind kind, List<FindingTask> tasks, string root, ReplayState s)
    {
        string who = tasks.Count == 1 ? $"{tasks[0].Comm}:{tasks[0].Pid}" : $"{tasks.Count} tasks ({string.Join(", ", tasks.Take(3).Select(t => $"{t.Comm}:{t.Pid}"))}{(tasks.Count > 3 ? ", ..." : "")})";
        if (kind == FindingKind.HungTask)
        {
            if (NodeIds.IsTask(root, out int rootPid) && tasks.All(t => t.Pid != rootPid) && s.Tasks.Get(rootPid) is { } r)
                return $"{who} blocked behind {r.Comm}:{rootPid}, itself blocked in " +
                       $"{Replay.Tasks.StackReader.BlockedIn(WaitForGraphBuilder.SleepStack(s, r)) ?? "an unknown wait"}; what blocks it is not in the input";
            return $"{who} blocked in {tasks[0].BlockedIn ?? "an unknown wait"}; the blocker is not in the input";
        }
        string rootText = NodeText.Describe(root, s);
        if (NodeIds.IsTask(root, out int pid)) rootText += IsRunning(s, pid) ? " (running)" : "";
        return $"stall: {who} blocked behind {rootText}";
    }
}
