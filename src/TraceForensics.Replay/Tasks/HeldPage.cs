namespace TraceForensics.Replay.Tasks;

/// <summary>Which page a frame that sleeps holding a page lock holds (a row of <see cref="PageLockStacks"/>). Only the
/// faulted page is named by an event (mm_filemap_fault); the others are known from the stack alone.</summary>
public enum HeldPage : byte
{
    None,

    /// <summary>The file page a fault read through its handler (filemap_fault returns it locked).</summary>
    FaultedPage,

    /// <summary>The page a write fault on a shared mapping makes writable (->page_mkwrite locks it again itself).</summary>
    WriteFaultPage,

    /// <summary>The page-cache page a buffered write's write_begin looked up or created, locked.</summary>
    WriteBeginPage,

    /// <summary>The hugetlb folio a hugetlb fault locked (the faulting folio; before 6.16 also its page-cache folio).</summary>
    HugetlbFolio,

    /// <summary>The page truncate or invalidation locked to remove it from the page cache.</summary>
    TruncatedPage,

    /// <summary>The folio migration locked to move (and the new folio it moves it to).</summary>
    MigratedFolio,
}
