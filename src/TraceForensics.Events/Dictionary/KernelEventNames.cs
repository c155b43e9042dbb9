using TraceForensics.Events.Model;

namespace TraceForensics.Events.Dictionary;

/// <summary>Kernel event names by meaning (vocabulary section 2). Every name in a row must be accepted: names
/// changed with the page-to-folio conversion (2021+) and kprobes depend on what the user probed.</summary>
internal static class KernelEventNames
{
    public static readonly (EventKind Kind, string[] Names)[] Tracepoints =
    [
        (EventKind.SchedSwitch, ["sched_switch"]),
        (EventKind.SchedWaking, ["sched_waking"]),
        (EventKind.SchedWakeup, ["sched_wakeup", "sched_wakeup_new"]),
        (EventKind.ProcessFork, ["sched_process_fork"]),
        (EventKind.ProcessExec, ["sched_process_exec"]),
        (EventKind.ProcessExit, ["sched_process_exit", "sched_process_free"]),
        (EventKind.ProcessHang, ["sched_process_hang", "hung_task"]),
        (EventKind.BlockedReason, ["sched_blocked_reason"]),
        (EventKind.FolioDirtied, ["writeback_dirty_folio", "writeback_dirty_page"]),
        (EventKind.WritebackStart, ["iomap_add_to_ioend", "iomap_writeback_folio", "iomap_writepage", "xfs_writepage",
                                    "ext4_da_write_pages_extent", "ext4_writepage", "extent_writepage"]),
        (EventKind.WritebackWait, ["folio_wait_writeback", "wait_on_page_writeback"]),
        (EventKind.WritebackInode, ["writeback_single_inode_start", "writeback_single_inode", "writeback_write_inode_start",
                                    "writeback_write_inode", "writeback_sb_inodes_requeue",
                                    "ext4_writepages", "ext4_da_write_pages", "ext4_writepages_result",
                                    // ext4_da_write_pages renamed ext4_da_write_folios_start/_end (start_pos, next_pos) by the large-folio writeback work; 6.18 has only these
                                    "ext4_da_write_folios_start", "ext4_da_write_folios_end"]),
        (EventKind.WritebackWork, ["writeback_start", "writeback_written", "writeback_pages_written", "writeback_queue",
                                   "writeback_exec", "writeback_wait", "writeback_wake_background"]),
        // fs/ext4 (include/trace/events/ext4.h): the extent and indirect block mappers' exits, lblk -> pblk.
        (EventKind.BlockMap, ["ext4_ext_map_blocks_exit", "ext4_ind_map_blocks_exit"]),
        // fs/jbd2/commit.c, jbd2_journal_commit_transaction (include/trace/events/jbd2.h).
        (EventKind.JournalCommit, ["jbd2_start_commit", "jbd2_commit_locking", "jbd2_commit_flushing", "jbd2_commit_logging",
                                   "jbd2_end_commit", "jbd2_submit_inode_data"]),
        // fs/btrfs/ordered-data.c (include/trace/events/btrfs.h).
        (EventKind.OrderedExtent, ["btrfs_ordered_extent_add", "btrfs_ordered_extent_start", "btrfs_finish_ordered_extent",
                                   "btrfs_ordered_extent_remove"]),
        (EventKind.BioQueue, ["block_bio_queue"]),
        (EventKind.BioMerge, ["block_bio_backmerge", "block_bio_frontmerge"]),
        (EventKind.BioSplit, ["block_split"]),
        (EventKind.BioRemap, ["block_bio_remap", "block_rq_remap"]),
        (EventKind.BioComplete, ["block_bio_complete", "block_bio_bounce"]),
        (EventKind.RequestGet, ["block_getrq", "block_sleeprq"]),
        (EventKind.RequestInsert, ["block_rq_insert", "block_rq_requeue"]),
        (EventKind.RequestIssue, ["block_rq_issue", "block_io_start"]),
        (EventKind.RequestComplete, ["block_rq_complete", "block_io_done", "block_rq_error"]),
        (EventKind.WorkQueued, ["workqueue_queue_work"]),
        (EventKind.WorkStart, ["workqueue_execute_start"]),
        (EventKind.WorkEnd, ["workqueue_execute_end"]),
        (EventKind.Plug, ["block_plug"]),
        (EventKind.Unplug, ["block_unplug"]),
        (EventKind.ReclaimBegin, ["mm_vmscan_direct_reclaim_begin", "mm_vmscan_memcg_reclaim_begin",
                                  "mm_vmscan_memcg_softlimit_reclaim_begin", "mm_vmscan_node_reclaim_begin"]),
        (EventKind.ReclaimEnd, ["mm_vmscan_direct_reclaim_end", "mm_vmscan_memcg_reclaim_end",
                                "mm_vmscan_memcg_softlimit_reclaim_end", "mm_vmscan_node_reclaim_end"]),
        (EventKind.ReclaimShrinkInactive, ["mm_vmscan_lru_shrink_inactive"]),
        (EventKind.ReclaimWrite, ["mm_vmscan_write_folio", "mm_vmscan_writepage"]),
        (EventKind.ReclaimThrottled, ["mm_vmscan_throttled", "writeback_congestion_wait", "writeback_wait_iff_congested"]),
        (EventKind.KswapdWake, ["mm_vmscan_kswapd_wake", "mm_vmscan_wakeup_kswapd"]),
        (EventKind.KswapdSleep, ["mm_vmscan_kswapd_sleep"]),
        (EventKind.PageCacheAdd, ["mm_filemap_add_to_page_cache"]),
        (EventKind.PageCacheDelete, ["mm_filemap_delete_from_page_cache"]),
        (EventKind.FilemapFault, ["mm_filemap_fault"]),
        (EventKind.FsFault, ["xfs_read_fault", "xfs_write_fault", "xfs_filemap_fault", "xfs_filemap_page_mkwrite",
                             "xfs_filemap_pfn_mkwrite", "ext4_page_mkwrite"]),
        // fs/fuse/dev.c: fuse_send_one (trace_fuse_request_send, then fiq->ops->send_req) and fuse_request_end.
        (EventKind.FuseRequestSend, ["fuse_request_send"]),
        (EventKind.FuseRequestEnd, ["fuse_request_end"]),
        (EventKind.LockContentionBegin, ["contention_begin"]),
        (EventKind.LockContentionEnd, ["contention_end"]),
        (EventKind.LockOwner, ["hung_task_blocker"]),
        (EventKind.LockHeld, ["held_lock"]),
        (EventKind.HungTaskDetail, ["hung_task_detail"]),
        (EventKind.LockdepReport, ["lockdep_circular"]),
        (EventKind.MmapLock, ["mmap_lock_start_locking", "mmap_lock_acquire_returned", "mmap_lock_released"]),
        (EventKind.PageAlloc, ["mm_page_alloc"]),
        (EventKind.Function, ["function"]),
    ];

    /// <summary>The events of a topology file (not tracepoints: nothing to arm), by meaning.</summary>
    public static readonly (EventKind Kind, string[] Names)[] Topology =
    [
        (EventKind.LoopBacking, ["topology_loop"]),
        (EventKind.Mount, ["topology_mount"]),
        (EventKind.DmDevice, ["topology_dm"]),
        (EventKind.Filesystem, ["topology_fs"]),
        (EventKind.BtrfsFilesystem, ["topology_btrfs"]),
        (EventKind.FuseDevHolder, ["topology_fusedev"]),
        (EventKind.ThreadStack, ["topology_stack"]),
    ];

    /// <summary>Functions users put kprobes on, by what the entry of the function means.</summary>
    public static readonly (EventKind Kind, string[] Functions)[] ProbedFunctions =
    [
        (EventKind.PageLockWait, ["__folio_lock", "__folio_lock_killable", "__folio_lock_or_retry", "folio_lock",
                                  "folio_lock_killable", "__lock_page", "__lock_page_killable", "__lock_page_or_retry", "lock_page"]),
        (EventKind.PageUnlock, ["folio_unlock", "unlock_page", "__folio_unlock"]),
        (EventKind.WritebackStart, ["__folio_start_writeback", "folio_start_writeback", "set_page_writeback",
                                    "__test_set_page_writeback"]),
        (EventKind.WritebackEnd, ["folio_end_writeback", "end_page_writeback", "__folio_end_writeback",
                                  "test_clear_page_writeback"]),
        (EventKind.WritebackWait, ["folio_wait_writeback", "wait_on_page_writeback", "folio_wait_writeback_killable"]),
    ];
}
