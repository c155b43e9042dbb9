using TraceForensics.Analysis.Findings;
using TraceForensics.Events.Model;
using TraceForensics.Replay;
using TraceForensics.Replay.Evidence;
using TraceForensics.Replay.Tasks;

namespace TraceForensics.Analysis.Detectors;

/// <summary>Notes the precondition of the LKML deadlock: a task in a page fault entered memcg reclaim and sleeps on
/// page writeback (shrink_folio_list under try_to_free_mem_cgroup_pages, under handle_mm_fault). Not a deadlock by
/// itself: it becomes one only if the fault holds a page lock the writeback needs.</summary>
public sealed class ReclaimWritebackDetector : IDetector
{
    private readonly List<(int Pid, string Comm, EvidenceLine Line, int StackId)> _witnesses = new();
    private int _count;

    public void Observe(ReplayState s, in TraceEvent e)
    {
        if (e.Kind != EventKind.SchedSwitch || e.StackId == 0 || (e.Payload.PrevState & TaskState.Uninterruptible) == 0) return;
        var reading = s.StackReadings.Get(e.StackId);
        if (!reading.InMemcgReclaim || !reading.InPageFault || reading.Wait.Kind != WaitKind.PageWriteback) return;
        _count++;
        if (_witnesses.Count < 3) _witnesses.Add((e.Pid, e.Comm, EvidenceLine.Of(e), e.StackId));
    }

    public void Report(ReplayState s, FindingSet findings)
    {
        if (_count == 0) return;
        var tasks = _witnesses.Select(x => (x, Wait: s.StackReadings.Get(x.StackId).Wait))
            .Select(w => new FindingTask(w.x.Pid, w.x.Comm, w.x.Line.TimestampNs, w.Wait.BlockedIn, s.Stacks.Get(w.x.StackId), null)
            { StackCorrupted = w.Wait.BlockedInCorrupted }).DistinctBy(t => t.Pid).ToList();
        findings.Add(FindingKind.Note,
            $"reclaim from a page fault waited on page writeback {_count} time{(_count == 1 ? "" : "s")}: memcg reclaim " +
            "inside a fault, the precondition of the LKML fault/writeback deadlock (a deadlock only if the fault holds a page " +
            "lock the writeback needs)",
            _witnesses[0].Line.TimestampNs, tasks, [], null);
    }
}
