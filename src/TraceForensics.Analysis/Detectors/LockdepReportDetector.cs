using TraceForensics.Analysis.Graph;
using TraceForensics.Events.Model;
using TraceForensics.Replay.Evidence;

namespace TraceForensics.Analysis.Detectors;

/// <summary>Turns each lockdep circular-dependency report of a kernel log into a class cycle: the reporting task
/// held one class while it tried to take another, which (lockdep says) already depends on the first.</summary>
public sealed class LockdepReportDetector
{
    public const string RelationWantedBy = "held-then-wanted-by:";
    public const string RelationExisting = "already-depends-on";
    /// <summary>DEPT names event contexts, not tasks: each holds one class and waits for the other.</summary>
    public const string RelationDeptContext = "dept-context-holds-then-waits";

    /// <summary>Reports: the task (pid -1 for DEPT, which names contexts), the kind (circular, recursive, irq-order,
    /// dept) and the class cycle.</summary>
    public List<(int Pid, string Comm, string Report, List<WaitEdge> Cycle)> Reports { get; } = new();

    public void AfterEvent(in TraceEvent e)
    {
        if (e.Kind != EventKind.LockdepReport || e.Payload.Lockdep.HeldClass is not { } held || e.Payload.Lockdep.WantedClass is not { } wanted) return;
        var line = new List<EvidenceLine> { EvidenceLine.Of(e) };
        var report = e.Payload.Lockdep.ReportName ?? "circular";
        bool dept = report == "dept";
        var cycle = new List<WaitEdge>
        {
            new(NodeIds.Lock(held), NodeIds.Lock(wanted), dept ? RelationDeptContext : $"{RelationWantedBy}{e.Comm}:{e.Pid}", true, null, line),
        };
        // lockdep prints its existing chain #N (the held class) first, down to #0 (the wanted class): wanted -> ... -> held.
        var chain = e.Payload.Lockdep.Chain is { Length: > 1 } c && c[^1] == wanted && c[0] == held ? c.Reverse().ToList() : [wanted, held];
        for (int i = 0; i + 1 < chain.Count; i++)
            cycle.Add(new WaitEdge(NodeIds.Lock(chain[i]), NodeIds.Lock(chain[i + 1]), dept ? RelationDeptContext : RelationExisting, true, null, line));
        Reports.Add((e.Pid, e.Comm, report, cycle));
    }
}
