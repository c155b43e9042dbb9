using TraceForensics.Analysis.Findings;
using TraceForensics.Events.Model;
using TraceForensics.Replay;
using TraceForensics.Replay.Evidence;
using TraceForensics.Replay.Tasks;

namespace TraceForensics.Analysis.Detectors;

/// <summary>Notes the precondition of the LKML deadlock: a task in a page fault entered memcg reclaim and sleeps on
/// page writeback (shrink_folio_list under try_to_free_mem_cgroup_pages, under handle_mm_fault). Not a deadlock by
/// itself: it becomes one only if the fault holds a page lock the writeback needs.</summary>
public sealed class ReclaimWritebackDetector
{
    public List<(int Pid, string Comm, EvidenceLine Line, int StackId)> Witnesses { get; } = new();
    public int Count { get; private set; }

    public void AfterEvent(ReplayState s, in TraceEvent e)
    {
        if (e.Kind != EventKind.SchedSwitch || e.StackId == 0 || (e.Payload.PrevState & TaskState.Uninterruptible) == 0) return;
        var stack = s.Stacks.Get(e.StackId);
        if (!StackReader.InMemcgReclaim(stack) || !StackReader.InPageFault(stack)) return;
        if (StackReader.Classify(stack).Kind != WaitKind.PageWriteback) return;
        Count++;
        if (Witnesses.Count < 3) Witnesses.Add((e.Pid, e.Comm, EvidenceLine.Of(e), e.StackId));
    }
}
