using System.Collections.Immutable;

namespace TraceForensics.Replay.Tasks;

/// <summary>One row of the stack tables: a kernel function as it appears on a blocked task's stack, its role, and the
/// kernel source that justifies it. A holder's row says which page it holds and, where it holds it only past a point of
/// its body, the callees it holds it across (<see cref="WhileCalling"/>; empty: across all it calls). Rows are cited by
/// their function as the witness of a rule (<c>sole-page-lock-holder:hugetlb_wp</c>), and <c>tracefx rules</c> prints
/// them.</summary>
public sealed record StackFunction(string Function, StackRole Role, string Source)
{
    /// <summary>For <see cref="StackRole.WaitsFor"/>: what it waits for.</summary>
    public WaitKind Waits { get; init; }

    /// <summary>For <see cref="StackRole.HoldsPageLock"/>: which page it holds.</summary>
    public HeldPage Holds { get; init; }

    /// <summary>For <see cref="StackRole.HoldsPageLock"/>: the callees (the frame just inside it) across which it holds the
    /// lock; empty when it holds it across everything it calls.</summary>
    public ImmutableArray<string> WhileCalling { get; init; } = [];

    /// <summary>When the row applies, in words (empty when always).</summary>
    public string Condition { get; init; } = "";

    /// <summary>The kernels the name applies to and what it was called before or after (the page-to-folio conversion of
    /// 5.16 renamed most of these).</summary>
    public string Kernels { get; init; } = "";

    /// <summary>Whether this holder holds its page while the frame just inside it is <paramref name="callee"/> (empty when
    /// nothing is inside it).</summary>
    public bool HoldsWhileCalling(ReadOnlySpan<char> callee)
    {
        if (Role != StackRole.HoldsPageLock) return false;
        if (WhileCalling.IsEmpty) return true;
        foreach (var c in WhileCalling)
            if (callee.SequenceEqual(c)) return true;
        return false;
    }

    /// <summary>The row in words, one fact a line, for <c>tracefx rules</c>.</summary>
    public IEnumerable<string> Describe()
    {
        yield return $"{Function}: {RoleWords}";
        if (Condition.Length > 0) yield return $"when: {Condition}";
        yield return $"kernel source: {Source}";
        if (Kernels.Length > 0) yield return $"kernels: {Kernels}";
    }

    private string RoleWords => Role switch
    {
        StackRole.WaitsFor => $"waits for {WaitWords(Waits)}",
        StackRole.WaitsOnPageFlag => "sleeps on a page flag (PG_locked or PG_writeback); the frame above it says which",
        StackRole.WaitsOnPageFlagForCaller => "waits on the page flag its caller names; the frame above it says which",
        StackRole.LocksPage => "takes a page lock: a bare page-flag wait under it is a wait for a page lock",
        StackRole.HoldsPageLock => $"holds the lock of {HeldWords(Holds)} " +
                                   (WhileCalling.IsEmpty ? "across all it calls" : $"while it calls {string.Join(", ", WhileCalling)}"),
        StackRole.ReclaimsMemcg => "memory-cgroup reclaim",
        StackRole.ShrinksPageList => "reclaim freeing a list of pages (it may wait for their writeback)",
        StackRole.HandlesPageFault => "handles a page fault",
        _ => Role.ToString(),
    };

    private static string WaitWords(WaitKind kind) => kind switch
    {
        WaitKind.PageLock => "a page lock",
        WaitKind.PageWriteback => "a page's writeback",
        WaitKind.FrozenFilesystem => "a frozen filesystem to thaw",
        WaitKind.Mutex => "a mutex",
        WaitKind.RwSemaphore => "an rw-semaphore",
        WaitKind.Semaphore => "a semaphore",
        WaitKind.Journal => "the journal",
        WaitKind.DirtyThrottle => "dirty-page throttling",
        WaitKind.BlockTags => "block request tags or writeback throttling",
        _ => kind.ToString(),
    };

    private static string HeldWords(HeldPage page) => page switch
    {
        HeldPage.FaultedPage => "the page it faulted",
        HeldPage.WriteFaultPage => "the page a write fault makes writable",
        HeldPage.WriteBeginPage => "the page its write_begin looked up",
        HeldPage.HugetlbFolio => "the hugetlb folio of the fault",
        HeldPage.TruncatedPage => "the page it truncates or invalidates",
        HeldPage.MigratedFolio => "the folio it migrates",
        _ => "a page",
    };
}
