using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace TraceForensics.Replay.Tasks;

/// <summary>The function syzkaller puts in an "INFO: task hung in FUNC" title, read from a blocked task's stack
/// (innermost first) by syzkaller's own rule, kept here as its data. Sources (google/syzkaller):
/// <list type="bullet">
/// <item><c>pkg/report/linux.go</c>: the "INFO: task .* blocked for more than [0-9]+ seconds" oops format (title
/// "INFO: task hung in %[1]v", the first stack after <c>linuxCallTrace</c>, frames picked by
/// <c>linuxHangTaskFrameExtractor</c>); <c>linuxStackParams</c> (<c>frameRes</c>, <c>skipPatterns</c>,
/// <c>corruptedLines</c>, <c>stripFramePrefixes</c>).</item>
/// <item><c>pkg/report/report.go</c>: <c>extractStackFrameImpl</c>/<c>appendStackFrame</c> (a frame matching a skip
/// pattern anywhere in its name is dropped before the extractor sees the list), <c>stackParams.stripFrames</c> (each frame
/// loses the prefix that leaves it shortest), and an extractor that finds nothing titles the report "corrupted"
/// (<c>corruptedNoFrames</c>); <c>isCorrupted</c> (a stack keyword with no frame after it).</item>
/// </list>
/// A frame's name is what syzkaller's <c>{{FUNC}}</c> captures: the symbol up to its first '.' (<c>.isra.0</c>,
/// <c>.cold</c> dropped), only from frames with an offset (<c>func+0x1/0x2</c>: inline frames of a symbolized report
/// have none and are not frames to it), never a "? " frame (<c>linux.stripLinePrefix</c> marks them questionable and
/// <c>Parse</c> no longer uses them).</summary>
public static partial class HungTaskTitleRule
{
    /// <summary><c>linuxStackParams.skipPatterns</c>, in syzkaller's order: regular expressions (Go RE2 syntax, which these
    /// patterns share with .NET's) joined by '|' and matched anywhere in a frame's name.</summary>
    private const string SkipPatterns =
        "__sanitizer|__asan|kasan|hwasan|__msan|kmsan|kcsan_setup_watchpoint|check_memory_region|check_heap_object|check_object|" +
        "read_word_at_a_time|(read|write)_once_.*nocheck|print_address_description|panic|invalid_op|report_bug|fixup_bug|" +
        "print_report|print_usage_bug|do_error|invalid_op|_trap$|do_trap|show_stack|dump_stack|walk_stack|dump_backtrace|" +
        "warn_slowpath|warn_alloc|warn_bogus|__warn|alloc_page|k?v?(?:m|z|c)alloc|krealloc|kmem_cache|allocate_slab|" +
        "__alloc_frozen_pages_noprof|folio_(?:alloc|unlock)|filemap_alloc_folio|__filemap_get_folio|find_or_create_page|" +
        "do_read_cache_folio|read_cache_page|pagecache_get_page|grab_cache_page_write_begin|slab_|debug_object|" +
        "timer_is_static_object|work_is_static_object|__might_fault|print_unlock|imbalance_bug|lockdep|bh_enable|bh_disable|" +
        "perf_trace|lock_acquire|lock_release|lock_class|mark_lock|(reacquire|mark)_held_locks|raw_spin_rq|spin_lock|" +
        "spin_trylock|spin_unlock|read_lock|read_trylock|write_lock|write_trylock|read_unlock|write_unlock|^down$|down_read|" +
        "down_write|down_read_trylock|down_write_trylock|down_trylock|up_read|up_write|^mutex_|^__mutex_|^rt_mutex_|" +
        "owner_on_cpu|osq_lock|osq_unlock|atomic(64)?_(dec|inc|read|set|or|xor|and|add|sub|fetch|xchg|cmpxchg|try)|" +
        "(set|clear|change|test)_bit|__wake_up|^refcount_|^kref_|ref_tracker|seqprop_assert|memcpy|memcmp|memset|memchr|" +
        "memmove|memdup|strcmp|strncmp|strcpy|strlcpy|strncpy|strscpy|strlen|strstr|strnstr|strnlen|strchr|strdup|strndup|" +
        "copy_to_user|copy_from_user|copy_to_iter|copy_from_iter|copy_page_to_iter|copy_page_from_iter|copy_folio_to_iter|" +
        "^copyin$|^copyout$|put_user|get_user|might_fault|might_sleep|list_add|list_del|list_replace|list_move|list_splice|" +
        "^rb_|^__rb_|_indirect_thunk_|string|pointer|snprintf|scnprintf|kasprintf|kvasprintf|printk|va_format|dev_info|" +
        "dev_notice|dev_warn|dev_err|dev_alert|dev_crit|dev_emerg|program_check_exception|program_check_common|del_timer|" +
        "flush_work|__cancel_work_timer|cancel_work_sync|try_to_grab_pending|flush_workqueue|drain_workqueue|" +
        "destroy_workqueue|queue_work|finish_wait|kthread_stop|kobject_|add_uevent_var|get_device_parent|device_add|" +
        "device_del|device_unregister|device_destroy|device_release|devres_release_all|hwrng_unregister|i2c_del_adapter|" +
        "__unregister_client|device_for_each_child|rollback_registered|unregister_netdev|sysfs_remove|device_remove_file|" +
        "tty_unregister_device|dummy_urb_enqueue|usb_kill_urb|usb_kill_anchored_urbs|usb_control_msg|usb_hcd_submit_urb|" +
        "usb_submit_urb|^complete$|wait_for_completion|^kv?free$|kfree_skb|readb$|readw$|readl$|readq$|writeb$|writew$|" +
        "writel$|writeq$|logic_in|logic_out|^crc\\d+|crc_itu_t|__might_resched|assertfail|^iput$|^iput_final$|^ihold$|" +
        "hex_dump_to_buffer|print_hex_dump|^klist_|(trace|lockdep)_(hard|soft)irq|^(un)?lock_page|" +
        "stack_trace_consume_entry|arch_stack_walk|stack_trace_save|insert_work|__queue_delayed_work|queue_delayed_work_on|" +
        "ida_free|do_(kernel|translation)_fault|do_mem_abort|el1_abort|el1h_64_sync(?:_handler)?|print_tainted|" +
        "xas_(?:start|load|find)|find_lock_entries|truncate_inode_pages_range|__phys_addr|__fortify_report|" +
        "cleanup_srcu_struct|rhashtable_lookup|extract_(user|iter)_to_sg|drop_nlink|^get_taint$|^put_device$|" +
        "lock_timer_base|__timer_delete_sync|sk_stop_timer_sync|__mod_timer|fast_dput|dput";

    [GeneratedRegex(SkipPatterns, RegexOptions.CultureInvariant)]
    private static partial Regex SkipPattern();

    /// <summary>The skip verdict per function name, per thread, so that reading a stack again allocates nothing (a regex
    /// run may rent a runner when another thread holds the cached one) and no other thread can evict what this one read;
    /// bounded (emptied when full), as names come from untrusted text.</summary>
    [ThreadStatic] private static Dictionary<string, bool>? t_skipVerdicts;
    [ThreadStatic] private static Dictionary<string, bool>.AlternateLookup<ReadOnlySpan<char>> t_skipVerdictOf;
    private const int SkipVerdictLimit = 1 << 14;

    /// <summary><c>linuxStackParams.stripFramePrefixes</c>: syscall-entry prefixes that differ between architectures; a
    /// frame loses the one that leaves it shortest.</summary>
    public static ImmutableArray<string> StripFramePrefixes { get; } =
    [
        "SYSC_", "SyS_", "sys_", "__x64_", "__ia32_", "__arm64_", "____sys_", "___sys_", "__sys_", "__se_", "__se_sys_",
        "__do_sys_", "compat_SYSC_", "compat_SyS_", "ksys_",
    ];

    /// <summary><c>linuxHangTaskFrameExtractor</c> <c>anchorFrames</c>: hangs on rtnl_lock and on an RCU grace period are
    /// grouped whatever else the stack shows. The first frame containing an anchor is the title; a replacement, when
    /// given, stands for it (every grace-period wait is titled synchronize_rcu).</summary>
    public static ImmutableArray<(string Anchor, string? Replacement)> AnchorFrames { get; } =
    [
        ("rtnl_lock", null),
        ("synchronize_rcu", "synchronize_rcu"),
        ("synchronize_srcu", "synchronize_rcu"),
        ("synchronize_net", "synchronize_rcu"),
        ("synchronize_sched", "synchronize_rcu"),
    ];

    /// <summary><c>linuxHangTaskFrameExtractor</c> <c>skip</c>: without an anchor, the title is the first frame containing
    /// none of these (scheduler, lock, wait and kthread plumbing).</summary>
    public static ImmutableArray<string> HangSkip { get; } =
    [
        "sched", "_lock", "_slowlock", "down", "rwsem", "completion", "kthread", "wait", "synchronize", "context_switch",
        "__switch_to", "cancel_delayed_work", "rcu_barrier",
    ];

    /// <summary><c>linuxStackParams.corruptedLines</c>: a fault-injection frame (<c>should_fail</c>, <c>should_failslab</c>)
    /// in the stack means another stack was printed into this one.</summary>
    public static ImmutableArray<string> CorruptedFrames { get; } = ["should_fail", "should_failslab"];

    /// <summary>Why a stack gives no title: syzkaller's <c>isCorrupted</c> ("no frames in a stack trace", "no stack trace in
    /// report") and its extractor finding nothing.</summary>
    public const string NoFrames = "no frames in the stack trace";
    public const string OnlyUnreliableFrames = "only unreliable \"? \" frames in the stack trace";
    public const string NoStackTrace = "no stack trace in the report";
    public const string AllFramesSkipped = "all frames are skipped (lock, wait and scheduler plumbing only)";
    public const string FaultInjectionMixedIn = "a fault-injection frame (should_fail) is mixed into the stack";

    /// <summary>The title function of a stack (innermost first), or why syzkaller would title it "corrupted".</summary>
    public static HungTaskTitle Of(ImmutableArray<string> frames)
    {
        if (frames.IsDefaultOrEmpty) return new HungTaskTitle(null, NoFrames);
        bool anyFrame = false, anyKept = false;
        for (int i = StackFrame.NextReliable(frames, 0); i < frames.Length; i = StackFrame.NextReliable(frames, i + 1))
        {
            anyFrame = true;
            if (IsCorruptedFrame(StackFrame.Function(frames[i]))) return new HungTaskTitle(null, FaultInjectionMixedIn);
        }
        if (!anyFrame) return new HungTaskTitle(null, OnlyUnreliableFrames);
        // First the anchors, over the frames the skip patterns keep.
        for (int i = StackFrame.NextReliable(frames, 0); i < frames.Length; i = StackFrame.NextReliable(frames, i + 1))
        {
            var f = StackFrame.Function(frames[i]);
            if (IsSkipped(f)) continue;
            anyKept = true;
            var stripped = Strip(f);
            foreach (var (anchor, replacement) in AnchorFrames)
                if (stripped.Contains(anchor, StringComparison.Ordinal)) return new HungTaskTitle(replacement ?? Name(frames[i], stripped), null);
        }
        if (anyKept)
        {
            for (int i = StackFrame.NextReliable(frames, 0); i < frames.Length; i = StackFrame.NextReliable(frames, i + 1))
            {
                var f = StackFrame.Function(frames[i]);
                if (IsSkipped(f)) continue;
                var stripped = Strip(f);
                if (!ContainsAny(stripped, HangSkip.AsSpan())) return new HungTaskTitle(Name(frames[i], stripped), null);
            }
        }
        return new HungTaskTitle(null, AllFramesSkipped);
    }

    /// <summary>Whether syzkaller's skip patterns drop a frame (by its function name) before any title rule sees it.</summary>
    public static bool IsSkipped(ReadOnlySpan<char> function)
    {
        if (t_skipVerdicts is null)
        {
            t_skipVerdicts = new Dictionary<string, bool>(StringComparer.Ordinal);
            t_skipVerdictOf = t_skipVerdicts.GetAlternateLookup<ReadOnlySpan<char>>();
        }
        if (t_skipVerdictOf.TryGetValue(function, out bool skipped)) return skipped;
        skipped = SkipPattern().IsMatch(function);
        if (t_skipVerdicts.Count >= SkipVerdictLimit) t_skipVerdicts.Clear();
        t_skipVerdictOf.TryAdd(function, skipped);
        return skipped;
    }

    /// <summary><c>stackParams.stripFrames</c>: the shortest of the name with each prefix removed.</summary>
    public static ReadOnlySpan<char> Strip(ReadOnlySpan<char> function)
    {
        var best = function;
        foreach (var prefix in StripFramePrefixes)
            if (function.StartsWith(prefix, StringComparison.Ordinal) && function.Length - prefix.Length < best.Length)
                best = function[prefix.Length..];
        return best;
    }

    /// <summary>The name as a string: the frame itself when nothing was cut from it (no allocation), else a copy.</summary>
    private static string Name(string frame, ReadOnlySpan<char> name) => name.Length == frame.Length ? frame : name.ToString();

    private static bool IsCorruptedFrame(ReadOnlySpan<char> function)
    {
        foreach (var c in CorruptedFrames)
            if (function.SequenceEqual(c)) return true;
        return false;
    }

    private static bool ContainsAny(ReadOnlySpan<char> f, ReadOnlySpan<string> parts)
    {
        foreach (var p in parts)
            if (f.Contains(p, StringComparison.Ordinal)) return true;
        return false;
    }
}
