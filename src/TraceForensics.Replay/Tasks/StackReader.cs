using System.Collections.Immutable;

namespace TraceForensics.Replay.Tasks;

/// <summary>Reads a blocked task's stack (innermost first) per vocabulary section 3, through the stack tables
/// (<see cref="PageLockStacks"/>, <see cref="KernelWaitStacks"/>): what it waits for, where it is blocked, and the context
/// it holds (a page lock it sleeps holding, reclaim, a fault). Frames are read as slices: nothing is allocated per frame,
/// "? " frames of a kernel log are never used.</summary>
public static class StackReader
{
    private static readonly string[] SchedulerPrefixes =
        ["trace_event_", "__traceiter_", "__schedule", "schedule", "io_schedule", "preempt_schedule", "bit_wait"];

    /// <summary>Tracing and scheduler frames (and the page-flag waits), which every blocked stack shares and a short stack
    /// leaves out.</summary>
    public static bool IsSchedulerFrame(string frame) =>
        StartsWithAny(frame, SchedulerPrefixes) || StartsWithAny(frame, PageLockStacks.FlagWaitFamilies.AsSpan());

    /// <summary>The function name with compiler suffixes (<c>.isra.0</c>, <c>.constprop.0</c>, <c>.part.0</c>, <c>.cold</c>)
    /// and a kernel log's "? " removed.</summary>
    public static string Normalize(string frame)
    {
        var f = StackFrame.Function(frame);
        return f.Length == frame.Length ? frame : f.ToString();
    }

    /// <summary>What the stack says its task waits for: the first frame (innermost first) with a wait row; a page-flag
    /// wait is for what its caller says (a writeback wait's flag is PG_writeback, any other is a page lock); else a
    /// completion or bare I/O wait.</summary>
    public static StackWait Classify(ImmutableArray<string> frames)
    {
        if (frames.IsDefaultOrEmpty) return new StackWait(WaitKind.None, null, null, null);
        var (kind, witness) = WaitOf(frames);
        if (kind == WaitKind.Unknown)
        {
            foreach (var raw in frames)
            {
                if (StackFrame.IsUnreliable(raw)) continue;
                var f = StackFrame.Function(raw);
                if (f.StartsWith("wait_for_completion", StringComparison.Ordinal) || f is "__wait_for_common") { (kind, witness) = (WaitKind.Completion, Normalize(raw)); break; }
                if (f is "io_schedule" or "io_schedule_timeout") { (kind, witness) = (WaitKind.Io, Normalize(raw)); break; }
            }
        }
        var title = HungTaskTitleRule.Of(frames);
        return new StackWait(kind, witness, title.Function, title.Corrupted);
    }

    private static (WaitKind Kind, string? Witness) WaitOf(ImmutableArray<string> frames)
    {
        for (int i = StackFrame.NextReliable(frames, 0); i < frames.Length; i = StackFrame.NextReliable(frames, i + 1))
        {
            var f = StackFrame.Function(frames[i]);
            foreach (var row in StackFunctions.Of(f))
            {
                switch (row.Role)
                {
                    case StackRole.WaitsFor:
                        return (row.Waits, row.Function);
                    case StackRole.WaitsOnPageFlag:
                    case StackRole.WaitsOnPageFlagForCaller:
                        // The flag is the caller's: look past the helpers that wait for their caller.
                        int c = StackFrame.NextReliable(frames, i + 1);
                        while (c < frames.Length && StackFunctions.Has(StackFrame.Function(frames[c]), StackRole.WaitsOnPageFlagForCaller))
                            c = StackFrame.NextReliable(frames, c + 1);
                        if (c < frames.Length)
                        {
                            var caller = StackFrame.Function(frames[c]);
                            if (StackFunctions.Of(caller, StackRole.WaitsFor) is { } wait) return (wait.Waits, wait.Function);
                            return (WaitKind.PageLock, StackFunctions.Of(caller, StackRole.LocksPage)?.Function ?? Normalize(frames[c]));
                        }
                        // A bare flag wait with nothing above it: as the lock functions tail-call it, a page lock; a helper
                        // whose caller is not shown says nothing.
                        return row.Role == StackRole.WaitsOnPageFlag ? (WaitKind.PageLock, row.Function) : (WaitKind.Unknown, null);
                }
            }
        }
        return (WaitKind.Unknown, null);
    }

    /// <summary>Where the stack is blocked: the function syzkaller's hung-task title names (<see cref="HungTaskTitleRule"/>),
    /// or null when syzkaller would title it "corrupted".</summary>
    public static string? BlockedIn(ImmutableArray<string> frames) => frames.IsDefaultOrEmpty ? null : HungTaskTitleRule.Of(frames).Function;

    /// <summary>Whether a reliable frame of the stack is one of <paramref name="functions"/> (compared by function name,
    /// without allocating).</summary>
    public static bool Contains(ImmutableArray<string> frames, params ReadOnlySpan<string> functions)
    {
        if (frames.IsDefaultOrEmpty) return false;
        foreach (var raw in frames)
        {
            if (StackFrame.IsUnreliable(raw)) continue;
            var f = StackFrame.Function(raw);
            foreach (var fn in functions)
                if (f.SequenceEqual(fn)) return true;
        }
        return false;
    }

    /// <summary>Whether the stack's bit_wait_io sleep is a buffer-I/O wait (fs/buffer.c __wait_on_buffer: wait_on_bit_io on
    /// BH_Lock, after the task's own submit_bh; inlined into its caller, the stack shows __wait_on_bit /
    /// out_of_line_wait_on_bit) rather than a wait for the lock (fs/buffer.c __lock_buffer: wait_on_bit_lock_io, a buffer
    /// another task locked; the stack shows __wait_on_bit_lock) or jbd2's wait for a shadow buffer's journal I/O
    /// (fs/jbd2/transaction.c do_get_write_access: wait_on_bit_io on BH_Shadow). The innermost such frame decides.</summary>
    public static bool WaitsOnBufferIo(ImmutableArray<string> frames)
    {
        if (frames.IsDefaultOrEmpty || !Contains(frames, "bit_wait_io")) return false;
        bool bitWait = false;
        foreach (var raw in frames)
        {
            if (StackFrame.IsUnreliable(raw)) continue;
            var f = StackFrame.Function(raw);
            if (f is "__wait_on_buffer" or "wait_on_buffer") return true;
            if (f is "__lock_buffer" or "lock_buffer" or "__wait_on_bit_lock" or "out_of_line_wait_on_bit_lock" or "wait_on_bit_lock_io"
                or "do_get_write_access") return false;
            if (f is "__wait_on_bit" or "out_of_line_wait_on_bit" or "wait_on_bit_io") bitWait = true;
            else if (bitWait) return true; // the caller of the bit wait, none of the above
        }
        return bitWait;
    }

    /// <summary>Whether the task sleeps inside a filesystem's writepages (mm/page-writeback.c do_writepages ->
    /// a_ops->writepages: ext4_writepages, btrfs_writepages, iomap_writepages, ..., and the write_cache_pages /
    /// writeback_iter loop they run), where the bio it is building is not submitted yet: fs/ext4/inode.c ext4_do_writepages
    /// and fs/btrfs/extent_io.c btrfs_writepages submit it only before they return.</summary>
    public static bool InsideWritepages(ImmutableArray<string> frames)
    {
        if (frames.IsDefaultOrEmpty) return false;
        foreach (var raw in frames)
        {
            if (StackFrame.IsUnreliable(raw)) continue;
            var f = StackFrame.Function(raw);
            if (f.EndsWith("_writepages", StringComparison.Ordinal) || f is "write_cache_pages" or "writeback_iter") return true;
        }
        return false;
    }

    /// <summary>Whether a reliable frame of the stack has a row of <paramref name="role"/>.</summary>
    public static bool Shows(ImmutableArray<string> frames, StackRole role)
    {
        if (frames.IsDefaultOrEmpty) return false;
        foreach (var raw in frames)
            if (!StackFrame.IsUnreliable(raw) && StackFunctions.Has(StackFrame.Function(raw), role)) return true;
        return false;
    }

    /// <summary>The row by which the stack shows its task sleeping with a page lock held: the innermost frame whose holder
    /// row holds across the frame just inside it (<see cref="StackFunction.HoldsWhileCalling"/>). Null when no frame
    /// does: a fault still in its handler, a write_begin still looking its page up, a migration allocating its
    /// destination hold nothing yet.</summary>
    public static StackFunction? PageLockHeld(ImmutableArray<string> frames)
    {
        if (frames.IsDefaultOrEmpty) return null;
        ReadOnlySpan<char> callee = default;
        for (int i = StackFrame.NextReliable(frames, 0); i < frames.Length; i = StackFrame.NextReliable(frames, i + 1))
        {
            var f = StackFrame.Function(frames[i]);
            foreach (var row in StackFunctions.Of(f))
                if (row.HoldsWhileCalling(callee)) return row;
            callee = f;
        }
        return null;
    }

    /// <summary>Section 3: a file fault whose handler has returned the page locked (finish_fault and the fault paths
    /// around it) holds the page it faulted; the row that shows it, or null.</summary>
    public static StackFunction? HoldsFaultedPage(ImmutableArray<string> frames) =>
        PageLockHeld(frames) is { Holds: HeldPage.FaultedPage } row ? row : null;

    /// <summary>Memory-cgroup reclaim freeing a page list (where legacy memcg reclaim waits for writeback).</summary>
    public static bool InMemcgReclaim(ImmutableArray<string> frames) =>
        Shows(frames, StackRole.ReclaimsMemcg) && Shows(frames, StackRole.ShrinksPageList);

    public static bool InPageFault(ImmutableArray<string> frames) => Shows(frames, StackRole.HandlesPageFault);

    private static bool StartsWithAny(ReadOnlySpan<char> f, ReadOnlySpan<string> prefixes)
    {
        foreach (var p in prefixes)
            if (f.StartsWith(p, StringComparison.Ordinal)) return true;
        return false;
    }
}
