using TraceForensics.Events.Dictionary;
using TraceForensics.Events.Model;

namespace TraceForensics.Cli.Capture;

/// <summary>What `tracefx record` arms for a selection of families (<see cref="EventSelection"/>): the tracepoints of
/// the event dictionary of those families, a stack trigger on D-state sleeps, and, where the kernel has kprobes, the
/// page-lock, unlock and writeback-start probes of the trace vocabulary whose families are selected.</summary>
internal static class RecordingPlan
{
    /// <summary>Families recorded by default: everything the replay uses. Left out: function tracer entries, per-page
    /// allocations and mmap_lock events (too many for the buffer, and the replay does not use them), and the meanings
    /// that come only from kernel logs.</summary>
    public static IReadOnlySet<EventKind> Default { get; } = Enum.GetValues<EventKind>()
        .Where(k => k is not (EventKind.Unknown or EventKind.Function or EventKind.PageAlloc or EventKind.MmapLock or EventKind.TraceGap or EventKind.LockOwner
                    or EventKind.LockHeld or EventKind.LockdepReport or EventKind.HungTaskDetail))
        .ToHashSet();

    /// <summary>The tracepoints of the selected families (hung_task is a kernel-log line, not a tracepoint).</summary>
    public static IEnumerable<string> Events(IReadOnlySet<EventKind> families) =>
        EventDictionary.KnownTracepoints.Where(t => families.Contains(t.Kind)).SelectMany(t => t.Names)
            .Where(n => n != "hung_task").Distinct().Order(StringComparer.Ordinal);

    /// <summary>Stack triggers, only where the replay needs a stack that no event gives:
    /// <list type="bullet">
    /// <item>sched_switch when the task leaving the CPU sleeps uninterruptibly (prev_state &amp; 2: TASK_UNINTERRUPTIBLE,
    /// include/linux/sched.h; the trigger runs in __schedule while current is still prev, kernel/sched/core.c, so the
    /// stack is the sleeper's). The blocked-stack rule reads what a D-state task waits for from it (vocabulary section
    /// 3), fault-holds-faulted-page the page a fault still holds, the loop rules which worker serves a device.</item>
    /// </list>
    /// Not armed (recorded before, each stack an extra event of a few hundred bytes): folio_wait_writeback and
    /// wait_on_page_writeback, because the tracepoint fires only in the loop that then sleeps in folio_wait_bit, in
    /// TASK_UNINTERRUPTIBLE (mm/page-writeback.c folio_wait_writeback, mm/filemap.c folio_wait_bit_common), so the
    /// D-state switch right after carries the same stack; and mm_vmscan_direct/memcg_reclaim_begin, because reclaim that
    /// blocks anyone sleeps in D inside it (folio_wait_writeback under shrink_folio_list) with the whole stack, its
    /// caller's fault frames included, while reclaim that never sleeps blocks no one: those stacks were one per reclaim
    /// entry, thousands a second under memcg pressure.</summary>
    public static IEnumerable<(string Event, string Trigger)> Triggers(IReadOnlySet<EventKind> families) =>
        families.Contains(EventKind.SchedSwitch) ? [("sched_switch", "stacktrace if prev_state & 2")] : [];

    /// <summary>The families of the probes (<see cref="Probes"/>), in their order.</summary>
    public static IReadOnlyList<EventKind> ProbeFamilies { get; } =
        [EventKind.PageLockWait, EventKind.PageLockAcquired, EventKind.PageUnlock, EventKind.WritebackStart];

    /// <summary>The probes of vocabulary section 2 whose families are selected, with page identity where BTF lets
    /// kprobes read struct fields.</summary>
    public static IEnumerable<(string Name, string Definition)> Probes(bool btf, IReadOnlySet<EventKind> families)
    {
        string args = btf ? " folio=$arg1 index=folio->index ino=folio->mapping->host->i_ino" : " folio=$arg1";
        (string, string)[] all =
        [
            ("folio_lock", $"p:tfx/folio_lock __folio_lock{args}"),
            ("folio_locked", "r:tfx/folio_locked __folio_lock"),
            ("folio_unlock", $"p:tfx/folio_unlock folio_unlock{args}"),
            ("folio_start_wb", $"p:tfx/folio_start_wb __folio_start_writeback{args}"),
        ];
        return all.Where((_, i) => families.Contains(ProbeFamilies[i]));
    }
}
