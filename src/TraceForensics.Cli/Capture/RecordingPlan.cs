using TraceForensics.Events.Dictionary;
using TraceForensics.Events.Model;

namespace TraceForensics.Cli.Capture;

/// <summary>What `tracefx record` arms: the tracepoints of the event dictionary that matter for page-lock, writeback,
/// bio and reclaim waits (not the noisy ones), stack triggers on D-state sleeps and on writeback and reclaim waits, and
/// where the kernel has kprobes the page-lock, unlock and writeback-start probes of the trace vocabulary.</summary>
internal static class RecordingPlan
{
    /// <summary>Meanings recorded: everything the replay uses. Left out: function tracer entries, per-page allocations
    /// and mmap_lock events (too many for the buffer, and the replay does not use them).</summary>
    private static readonly HashSet<EventKind> Wanted = Enum.GetValues<EventKind>()
        .Where(k => k is not (EventKind.Unknown or EventKind.Function or EventKind.PageAlloc or EventKind.MmapLock or EventKind.TraceGap or EventKind.LockOwner
                    or EventKind.LockHeld or EventKind.LockdepReport or EventKind.HungTaskDetail))
        .ToHashSet();

    public static IEnumerable<string> Events =>
        EventDictionary.KnownTracepoints.Where(t => Wanted.Contains(t.Kind)).SelectMany(t => t.Names)
            .Where(n => n != "hung_task").Distinct().Order(StringComparer.Ordinal);

    public static IEnumerable<(string Event, string Trigger)> Triggers =>
    [
        ("sched_switch", "stacktrace if prev_state & 2"),
        ("folio_wait_writeback", "stacktrace"),
        ("wait_on_page_writeback", "stacktrace"),
        ("mm_vmscan_direct_reclaim_begin", "stacktrace"),
        ("mm_vmscan_memcg_reclaim_begin", "stacktrace"),
    ];

    /// <summary>The probes of vocabulary section 2, with page identity where BTF lets kprobes read struct fields.</summary>
    public static IEnumerable<(string Name, string Definition)> Probes(bool btf)
    {
        string args = btf ? " folio=$arg1 index=folio->index ino=folio->mapping->host->i_ino" : " folio=$arg1";
        return
        [
            ("folio_lock", $"p:tfx/folio_lock __folio_lock{args}"),
            ("folio_locked", "r:tfx/folio_locked __folio_lock"),
            ("folio_unlock", $"p:tfx/folio_unlock folio_unlock{args}"),
            ("folio_start_wb", $"p:tfx/folio_start_wb __folio_start_writeback{args}"),
        ];
    }
}
