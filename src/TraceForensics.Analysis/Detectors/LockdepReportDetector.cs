using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Events.Model;
using TraceForensics.Ingest.Formats;
using TraceForensics.Replay;
using TraceForensics.Replay.Evidence;

namespace TraceForensics.Analysis.Detectors;

/// <summary>Turns each lockdep circular-dependency report of a kernel log into a class cycle: the reporting task
/// held one class while it tried to take another, which (lockdep says) already depends on the first. DEPT names
/// event contexts, not tasks: each holds one class and waits for the other.</summary>
public sealed class LockdepReportDetector : IDetector
{
    /// <summary>Reports: the task (pid -1 for DEPT, which names contexts), whether DEPT made it, and the class cycle.</summary>
    private readonly List<(int Pid, string Comm, bool Dept, LockdepReportKind Kind, List<WaitEdge> Cycle)> _reports = new();

    public void Observe(ReplayState s, in TraceEvent e)
    {
        if (e.Kind != EventKind.LockdepReport || e.Payload.Lockdep.HeldClass is not { } held || e.Payload.Lockdep.WantedClass is not { } wanted) return;
        var line = new List<EvidenceLine> { EvidenceLine.Of(e) };
        bool dept = e.Payload.Lockdep.Kind == LockdepReportKind.Dept;
        var cycle = new List<WaitEdge>
        {
            dept
                ? new(new KernelLockNode(held), new KernelLockNode(wanted), Relation.DeptContextHoldsThenWaits, null, line)
                : new(new KernelLockNode(held), new KernelLockNode(wanted), Relation.HeldThenWantedBy, null, line) { Witness = new TaskNode(e.Pid, 0, e.Comm) },
        };
        // lockdep prints its existing chain #N (the held class) first, down to #0 (the wanted class): wanted -> ... -> held.
        var chain = e.Payload.Lockdep.Chain is { Length: > 1 } c && c[^1] == wanted && c[0] == held ? c.Reverse().ToList() : [wanted, held];
        for (int i = 0; i + 1 < chain.Count; i++)
            cycle.Add(new WaitEdge(new KernelLockNode(chain[i]), new KernelLockNode(chain[i + 1]),
                dept ? Relation.DeptContextHoldsThenWaits : Relation.AlreadyDependsOn, null, line));
        _reports.Add((e.Pid, e.Comm, dept, e.Payload.Lockdep.Kind, cycle));
    }

    public void Report(ReplayState s, FindingSet findings)
    {
        foreach (var (pid, comm, dept, kind, cycle) in _reports)
        {
            var held = ((KernelLockNode)cycle[0].From).Name;
            var wanted = ((KernelLockNode)cycle[0].To).Name;
            long at = cycle[0].Lines[0].TimestampNs;
            findings.Add(FindingKind.PotentialDeadlock,
                dept
                    ? $"possible deadlock (DEPT): a context holding ({held}) waits for ({wanted}), and one holding ({wanted}) waits for ({held})"
                    : kind == LockdepReportKind.InconsistentState
                    ? $"inconsistent lock state (lockdep): {comm}:{pid} takes ({held}) in a context that can interrupt a holder of it with that interrupt enabled"
                    : kind == LockdepReportKind.IrqInversion
                    ? $"possible irq lock inversion (lockdep): ({held}) was held while taking ({wanted}), and interrupts can take them the other way round ({comm}:{pid} changed a lock's irq state)"
                    : held == wanted
                    ? $"possible recursive locking (lockdep): {comm}:{pid} holds ({held}) and is trying to acquire it again"
                    : $"possible deadlock (lockdep): {comm}:{pid} holds ({held}) and is trying to acquire ({wanted}), which already depends on ({held})",
                at, pid < 0 ? [] : [new FindingTask(pid, comm, at, null, [], null) { SinceUnknown = true }], cycle, null);
        }
    }
}
