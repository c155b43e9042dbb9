using System.Collections.Immutable;

namespace TraceForensics.Replay.Tasks;

/// <summary>Reads a blocked task's stack (innermost first) per vocabulary section 3: what it waits for, where it
/// is blocked, and the context it holds (a faulted page it has locked, an ioend it is building, reclaim).</summary>
public static class StackReader
{
    private static readonly string[] PlumbingPrefixes =
    [
        "trace_event_", "__traceiter_", "trace_", "__schedule", "schedule", "io_schedule", "preempt_schedule",
        "folio_wait_bit", "wait_on_page_bit", "__wait_on_bit", "out_of_line_wait_on_bit", "bit_wait", "__folio_lock",
        "__lock_page", "folio_lock", "lock_page", "percpu_rwsem_wait", "__percpu_down_read", "percpu_down_read",
        "__wait_for_common", "wait_for_completion", "do_wait_for_common", "prepare_to_wait", "finish_wait",
        "__mutex_lock", "mutex_lock", "rwsem_down_", "down_read", "down_write", "__down", "_raw_spin_", "osq_lock",
        "rt_mutex", "rwbase_", "kthread_", "worker_thread", "ret_from_fork",
        // older kernels and other architectures, and waits syzkaller's titles look through
        "context_switch", "__switch_to", "down", "ldsem_down", "console_lock", "__wait_on_buffer", "wait_on_buffer",
        "__flush_work", "flush_work", "rcu_barrier", "schedule_timeout", "usleep_range", "__wait_rcu_gp", "wait_rcu_gp",
        "__cancel_work_timer", "cancel_work_sync", "cancel_delayed_work",
    ];

    /// <summary>Names syzkaller's titles give in place of a frame's own (the expedited grace period is still a
    /// synchronize_rcu hang).</summary>
    private static string TitleName(string f) => f is "synchronize_rcu_expedited" or "synchronize_sched" or "synchronize_rcu_bh" ? "synchronize_rcu" : f;

    private static readonly string[] SchedulerPrefixes =
    [
        "trace_event_", "__traceiter_", "__schedule", "schedule", "io_schedule", "preempt_schedule", "folio_wait_bit",
        "wait_on_page_bit", "bit_wait",
    ];

    /// <summary>Tracing and scheduler frames, which every blocked stack shares and a short stack leaves out.</summary>
    public static bool IsSchedulerFrame(string frame)
    {
        foreach (var p in SchedulerPrefixes)
            if (frame.StartsWith(p, StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>The function name with compiler suffixes (<c>.isra.0</c>, <c>.constprop.0</c>, <c>.part.0</c>, <c>.cold</c>) removed.</summary>
    public static string Normalize(string frame)
    {
        if (IsUnreliable(frame)) frame = frame[2..];
        int dot = frame.IndexOf('.');
        return dot > 0 ? frame[..dot] : frame;
    }

    /// <summary>A kernel-log frame printed with "? ": an address found on the stack that may not be a real caller. Kept
    /// for people to read, never used to decide what a task waits for or where it is blocked.</summary>
    public static bool IsUnreliable(string frame) => frame.StartsWith("? ", StringComparison.Ordinal);

    public static StackWait Classify(ImmutableArray<string> frames)
    {
        if (frames.IsDefaultOrEmpty) return new StackWait(WaitKind.None, null, null);
        var kind = WaitKind.Unknown;
        string? witness = null;
        frames = Reliable(frames);
        for (int i = 0; i < frames.Length && kind == WaitKind.Unknown; i++)
        {
            var f = Normalize(frames[i]);
            (kind, witness) = f switch
            {
                "folio_wait_writeback" or "wait_on_page_writeback" or "folio_wait_writeback_killable"
                    or "__filemap_fdatawait_range" or "folio_wait_stable" => (WaitKind.PageWriteback, f),
                "__folio_lock" or "__folio_lock_killable" or "__folio_lock_or_retry" or "__lock_page"
                    or "__lock_page_killable" or "__lock_page_or_retry" or "folio_lock_killable" or "folio_put_wait_locked"
                    or "folio_wait_locked" => (WaitKind.PageLock, f),
                "percpu_rwsem_wait" or "__percpu_down_read" => (WaitKind.FrozenFilesystem, f),
                "__mutex_lock" or "mutex_lock" or "__mutex_lock_slowpath" or "mutex_lock_killable" or "mutex_lock_interruptible"
                    => (WaitKind.Mutex, f),
                "rwsem_down_read_slowpath" or "rwsem_down_write_slowpath" or "down_read" or "down_write"
                    or "down_read_killable" or "down_write_killable" => (WaitKind.RwSemaphore, f),
                "down" or "__down" or "__down_common" or "down_timeout" or "down_interruptible" => (WaitKind.Semaphore, f),
                "jbd2_log_wait_commit" or "wait_transaction_locked" or "jbd2_journal_commit_transaction" => (WaitKind.Journal, f),
                "balance_dirty_pages" or "balance_dirty_pages_ratelimited_flags" => (WaitKind.DirtyThrottle, f),
                "blk_mq_get_tag" or "rq_qos_wait" => (WaitKind.BlockTags, f),
                _ => (WaitKind.Unknown, null),
            };
            // A bare bit wait on a folio below none of the above is a page-lock wait (filemap_fault,
            // __filemap_get_folio, writeback_iter, write_cache_pages, filemap_get_pages...).
            if (kind == WaitKind.Unknown && (f == "folio_wait_bit_common" || f == "wait_on_page_bit_common"))
            {
                var next = i + 1 < frames.Length ? Normalize(frames[i + 1]) : "";
                if (next is "folio_wait_writeback" or "wait_on_page_writeback" or "folio_wait_bit") continue;
                (kind, witness) = (WaitKind.PageLock, next.Length > 0 ? next : f);
            }
        }
        if (kind == WaitKind.Unknown)
        {
            foreach (var raw in frames)
            {
                var f = Normalize(raw);
                if (f.StartsWith("wait_for_completion", StringComparison.Ordinal) || f == "__wait_for_common") { (kind, witness) = (WaitKind.Completion, f); break; }
                if (f is "io_schedule" or "io_schedule_timeout") { (kind, witness) = (WaitKind.Io, f); break; }
            }
        }
        return new StackWait(kind, witness, BlockedIn(frames));
    }

    /// <summary>The first frame that is not scheduler, tracing, lock or wait plumbing.</summary>
    public static string? BlockedIn(ImmutableArray<string> frames)
    {
        frames = Reliable(frames);
        foreach (var raw in frames)
        {
            var f = Normalize(raw);
            bool plumbing = false;
            foreach (var p in PlumbingPrefixes)
                if (f.StartsWith(p, StringComparison.Ordinal)) { plumbing = true; break; }
            if (!plumbing) return TitleName(f);
        }
        return frames.IsDefaultOrEmpty ? null : Normalize(frames[^1]);
    }

    public static bool Contains(ImmutableArray<string> frames, params string[] functions)
    {
        if (frames.IsDefaultOrEmpty) return false;
        foreach (var raw in frames)
        {
            if (IsUnreliable(raw)) continue;
            var f = Normalize(raw);
            foreach (var fn in functions)
                if (f == fn) return true;
        }
        return false;
    }

    private static ImmutableArray<string> Reliable(ImmutableArray<string> frames) =>
        frames.IsDefaultOrEmpty || !frames.Any(IsUnreliable) ? frames : frames.Where(f => !IsUnreliable(f)).ToImmutableArray();

    /// <summary>Section 3: a task with filemap_fault finished and the fault path still on its stack holds the lock of
    /// the page it faulted.</summary>
    public static bool HoldsFaultedPage(ImmutableArray<string> frames) =>
        // A file fault (an anonymous fault's __pte_alloc locks no page-cache page) past filemap_fault.
        !Contains(frames, "filemap_fault") && Contains(frames, "__do_fault", "do_fault", "finish_fault", "do_read_fault", "do_shared_fault", "do_cow_fault");


    public static bool InMemcgReclaim(ImmutableArray<string> frames) =>
        Contains(frames, "try_to_free_mem_cgroup_pages") && Contains(frames, "shrink_folio_list", "shrink_page_list");

    public static bool InPageFault(ImmutableArray<string> frames) =>
        Contains(frames, "handle_mm_fault", "exc_page_fault", "do_page_fault", "__handle_mm_fault");
}
