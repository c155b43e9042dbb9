namespace TraceForensics.Replay.Tasks;

/// <summary>What a kernel function on a blocked task's stack says about its task: the role of a row of the stack
/// tables (<see cref="PageLockStacks"/>, <see cref="KernelWaitStacks"/>).</summary>
public enum StackRole : byte
{
    /// <summary>It sleeps until the object of its <see cref="StackFunction.Waits"/> kind is free: a page lock, a page's
    /// writeback, a mutex, a frozen filesystem...</summary>
    WaitsFor,

    /// <summary>It sleeps on a page flag (PG_locked or PG_writeback) and its caller says which: the page-lock functions
    /// tail-call it, so the frame above it is often the one that wanted the lock.</summary>
    WaitsOnPageFlag,

    /// <summary>It waits on a page flag named by its caller (folio_wait_bit for folio_wait_writeback or
    /// folio_wait_locked): the frame above it says which.</summary>
    WaitsOnPageFlagForCaller,

    /// <summary>It takes a page lock itself, through a bare flag wait under it: that wait is for a page lock.</summary>
    LocksPage,

    /// <summary>It holds a page lock while what it calls sleeps (all it calls, or only the callees its row names).</summary>
    HoldsPageLock,

    /// <summary>It is memory-cgroup reclaim (try_to_free_mem_cgroup_pages).</summary>
    ReclaimsMemcg,

    /// <summary>It is the part of reclaim that frees a list of pages, waiting for their writeback where it must.</summary>
    ShrinksPageList,

    /// <summary>It handles a page fault (the fault entry of the architecture or of the mm).</summary>
    HandlesPageFault,
}
