using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Events.Model;
using TraceForensics.Replay;
using TraceForensics.Replay.Evidence;
using TraceForensics.Replay.Tasks;

namespace TraceForensics.Analysis.Detectors;

/// <summary>Lockdep/DEPT offline: each time a task sleeps in D, records "held class X, then waited for class Y" for
/// the wait classes lockdep cannot see: holding a page lock (observed, or inferred from the fault context) and
/// owning an unsubmitted bio whose pages are under writeback (their writeback waits for this task). A cycle among
/// classes is a deadlock this run escaped; one witness (task, time, lines) is kept per dependency.</summary>
public sealed class InversionDetector : IDetector
{
    private static readonly WaitClassNode PageLock = new(WaitClass.PageLock);
    private static readonly WaitClassNode PageWriteback = new(WaitClass.PageWriteback);

    private readonly Dictionary<(WaitClassNode Held, WaitClassNode Waited), WaitEdge> _dependencies = new();
    private readonly Dictionary<(WaitClassNode Held, WaitClassNode Waited), FindingTask> _witness = new();

    public void Observe(ReplayState s, in TraceEvent e)
    {
        if (e.Kind != EventKind.SchedSwitch || (e.Payload.PrevState & TaskState.Uninterruptible) == 0) return;
        var t = s.Tasks.Get(e.Pid);
        if (t is null) return;
        var stack = WaitForGraphBuilder.SleepStack(s, t);
        var reading = WaitForGraphBuilder.SleepReading(s, t);
        var waitKind = t.Wait?.Kind ?? reading.Wait.Kind;
        WaitClassNode? waited = waitKind switch
        {
            WaitKind.PageLock => PageLock,
            WaitKind.PageWriteback => PageWriteback,
            _ => null,
        };
        if (waited is null) return;
        var waitLines = new List<EvidenceLine>();
        if (t.Wait is { } w) waitLines.Add(w.Line);
        waitLines.Add(EvidenceLine.Of(e));

        // Held: a page lock.
        var heldPage = s.Pages.HeldBy(t.Pid);
        if (heldPage is not null)
            Record(PageLock, waited, t, stack, heldPage.LockObserved ? null : RuleUse.Of(heldPage.LockRule), [heldPage.LockLine!.Value, .. waitLines]);
        else if (t.FaultPage is not null && t.FaultLine is { } fault && reading.FaultedPageHeld is { } row)
            Record(PageLock, waited, t, stack, new RuleUse(InferenceRules.FaultHoldsFaultedPage, row.Function), [fault, .. waitLines]);

        // Held: pages under writeback in a bio this task built and has not submitted.
        var ioend = s.Bios.UnsubmittedBuiltBy(t.Pid);
        if (ioend is not null)
            Record(PageWriteback, waited, t, stack, InferenceRules.UnsubmittedBioHoldsWriteback, [ioend.FirstLine, .. waitLines]);
    }

    private void Record(WaitClassNode held, WaitClassNode waited, TaskRecord t, System.Collections.Immutable.ImmutableArray<string> stack,
                        RuleUse? rule, List<EvidenceLine> lines)
    {
        if (held == waited || _dependencies.ContainsKey((held, waited))) return;
        _dependencies[(held, waited)] = new WaitEdge(held, waited, Relation.HeldThenWaitedBy, rule,
            lines.Distinct().OrderBy(l => l.Input).ThenBy(l => l.Line).ToList()) { Witness = WaitForGraphBuilder.Task(t) };
        _witness[(held, waited)] = new FindingTask(t.Pid, t.Comm, t.StateSinceNs, StackReader.BlockedIn(stack), stack, null)
        {
            Generation = t.Generation,
            StackCorrupted = stack.IsDefaultOrEmpty ? null : HungTaskTitleRule.Of(stack).Corrupted,
        };
    }

    /// <summary>Class cycles whose witnesses did not actually deadlock here (this run's deadlock already shows those).</summary>
    public void Report(ReplayState s, FindingSet findings)
    {
        foreach (var (cycle, witnesses) in Cycles())
        {
            if (witnesses.All(w => findings.Deadlocked.Contains(w.Pid))) continue;
            var tasks = witnesses.DistinctBy(w => w.Pid).OrderBy(w => w.BlockedSinceNs).ToList();
            findings.Add(FindingKind.PotentialDeadlock, Summary(cycle), cycle.Max(e => e.Lines.Max(l => l.TimestampNs)), tasks, cycle, null);
        }
    }

    private static string Summary(List<WaitEdge> cycle)
    {
        var parts = cycle.Select(e =>
        {
            var held = e.From == PageWriteback ? "owned an unsubmitted bio with pages under writeback" : $"held {e.From.Label}";
            return $"{e.Witness!.Label} {held} while waiting for {e.To.Label}";
        });
        return $"possible deadlock (no cycle in this run): {string.Join("; ", parts)}";
    }

    /// <summary>Class cycles (each once), with the witness task of each dependency.</summary>
    private IEnumerable<(List<WaitEdge> Cycle, List<FindingTask> Witnesses)> Cycles()
    {
        var g = new WaitForGraph();
        foreach (var edge in _dependencies.Values.OrderBy(e => NodeId.Format(e.From), StringComparer.Ordinal).ThenBy(e => NodeId.Format(e.To), StringComparer.Ordinal)) g.Add(edge);
        var seen = new HashSet<string>();
        foreach (var start in g.Nodes)
        {
            var chain = g.Chain(start, out bool cycle);
            if (!cycle) continue;
            var key = WaitForGraph.CycleKey(chain);
            if (!seen.Add(key)) continue;
            yield return (chain, chain.Select(e => _witness[((WaitClassNode)e.From, (WaitClassNode)e.To)]).ToList());
        }
    }
}
