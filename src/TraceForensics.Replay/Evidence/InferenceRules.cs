namespace TraceForensics.Replay.Evidence;

/// <summary>Every inference rule of the replay and the analysis, in one table: <c>tracefx rules</c> lists it and
/// <c>tracefx rules ID</c> explains one. A new kind of inferred wait adds its rule here, with the kernel source
/// (file and function) that makes it true.</summary>
public static class InferenceRules
{
    public static readonly InferenceRule BlockedStack = new("blocked-stack",
        "a task's stack at its D-state sleep names what it waits for (the witness frame follows the rule id: a row of the stack tables, or the caller " +
        "of a bare page-flag wait), though no event said which object",
        "mm/filemap.c folio_wait_bit_common, __folio_lock; mm/page-writeback.c folio_wait_writeback; kernel/locking/mutex.c __mutex_lock; " +
        "kernel/locking/rwsem.c rwsem_down_read_slowpath/rwsem_down_write_slowpath; kernel/locking/semaphore.c __down_common; " +
        "kernel/sched/completion.c wait_for_completion; fs/jbd2/journal.c jbd2_log_wait_commit; mm/page-writeback.c balance_dirty_pages; " +
        "block/blk-mq-tag.c blk_mq_get_tag (the trace vocabulary, section 3; each witness row cites its own source: tracefx rules blocked-stack:FRAME)");

    public static readonly InferenceRule FaultHoldsFaultedPage = new("fault-holds-faulted-page",
        "a task that faulted a page (mm_filemap_fault) and sleeps with the fault's handler returned and the page not yet mapped (the witness row: " +
        "finish_fault, or do_read_fault/do_cow_fault/do_shared_fault/do_fault while they call it) holds that page's lock",
        "mm/filemap.c filemap_fault (returns VM_FAULT_LOCKED with the folio locked); mm/memory.c __do_fault, do_read_fault, do_cow_fault, " +
        "do_shared_fault, finish_fault (the folio is unlocked only after the PTE is installed; the page table is preallocated before the fault " +
        "since 5.0, but finish_fault still allocates one when none was)");

    public static readonly InferenceRule LoopDeviceServedByLoopWorker = new("loop-device-served-by-loop-worker",
        "the bios of a loop device are executed by a kworker running the loop's work; when nothing says which loop's work a worker runs, the only blocked task " +
        "whose stack is in loop work serves the device (with two or more, none is named)",
        "drivers/block/loop.c loop_queue_work, loop_process_work, lo_rw_aio, lo_write_simple");

    public static readonly InferenceRule LoopWorkqueueServesItsDevice = new("loop-workqueue-serves-its-device",
        "a kworker running a work item of workqueue loopN serves loop device 7:N while it runs that item (from workqueue_execute_start of an item " +
        "queued on loopN, or a hung-task report's \"Workqueue: loopN\" line of the same blocked interval); a pooled kworker serves another device with its next item. " +
        "Loop minors are N with the default max_part=0",
        "drivers/block/loop.c loop_configure (alloc_workqueue(\"loop%d\")), loop_add (disk->first_minor = i << part_shift), loop_queue_work; " +
        "kernel/workqueue.c process_one_work (trace_workqueue_execute_start/end), print_worker_info (\"Workqueue:\")");

    public static readonly InferenceRule PercpuRwsemIsSbFreeze = new("percpu-rwsem-is-sb-freeze",
        "a task sleeping in a per-cpu rw-semaphore read (percpu_rwsem_wait, __percpu_down_read) under a write or fault entry waits for a frozen filesystem to thaw " +
        "(which one is named only by freeze-io-names-frozen-fs)",
        "include/linux/fs.h sb_start_write, sb_start_pagefault -> __sb_start_write; kernel/locking/percpu-rwsem.c percpu_down_read, percpu_rwsem_wait; " +
        "fs/super.c freeze_super (takes s_writers for write)");

    public static readonly InferenceRule FreezeIoNamesFrozenFs = new("freeze-io-names-frozen-fs",
        "a task asleep in a filesystem's freeze protection (as percpu-rwsem-is-sb-freeze) waits for the one filesystem the input shows being frozen: " +
        "the task seen inside freeze_super wrote or flushed to that filesystem's device (freezing syncs it first); with no freeze, or several, the device stays unknown",
        "fs/super.c freeze_super -> sync_filesystem, then sb->s_op->freeze_fs (fs/xfs/xfs_super.c xfs_fs_freeze -> xfs_log_quiesce; fs/ext4/super.c ext4_freeze); " +
        "kernel/locking/percpu-rwsem.c percpu_down_write (sb_wait_write)");

    public static readonly InferenceRule LoopBackingFileFsIsFrozen = new("loop-backing-file-fs-is-frozen",
        "a loop worker asleep in freeze protection while it runs loop D's work item (loop-workqueue-serves-its-device) is writing D's backing file: " +
        "the frozen filesystem is the one that file lives on, as the capture-time topology recorded it (loop D backing_file=... fs=F)",
        "drivers/block/loop.c lo_rw_aio (I/O on lo->lo_backing_file; kiocb_start_write, include/linux/fs.h, since 6.6), lo_write_simple (vfs_iter_write -> " +
        "file_start_write); both take sb_start_write(file_inode(file)->i_sb); /sys/block/loopN/loop/backing_file (Documentation/ABI/testing/sysfs-block-loop)");

    public static readonly InferenceRule LoopWorkItemIoNamesBackingFs = new("loop-work-item-io-names-backing-fs",
        "a loop device's worker, while running that loop's work item and outside reclaim, wrote or flushed to device F: the loop's backing file lives on F, so its " +
        "worker's wait in freeze protection is for F (seen before it blocked, or once the same work item runs again after the thaw)",
        "drivers/block/loop.c lo_rw_aio (direct I/O on lo->lo_backing_file), lo_req_flush -> vfs_fsync(lo->lo_backing_file), loop_process_work");

    public static readonly InferenceRule WritebackInStalledDeviceBios = new("writeback-in-stalled-device-bios",
        "a task waits for writeback of a page on device D whose bio no event names (the filesystem names no sector for it, or its writeback began " +
        "before the trace), while D has write bios submitted and not completed (reads end no writeback) and has completed nothing since the task " +
        "began to wait, with no events lost since (lost events may hold completions): the page's writeback ends only when one of those bios completes. Which of them holds the page is not known; the node says " +
        "how many, the oldest and since when",
        "mm/page-writeback.c folio_wait_writeback (sleeps until PG_writeback is cleared), folio_end_writeback; PG_writeback is cleared from the " +
        "bio's completion: fs/iomap/ioend.c iomap_finish_ioend, fs/ext4/page-io.c ext4_end_bio -> ext4_finish_bio, fs/btrfs/extent_io.c " +
        "end_bbio_data_write; block/blk-core.c submit_bio, block/bio.c bio_endio; include/trace/events/block.h blk_fill_rwbs (R, W)");

    public static readonly InferenceRule Ext4BlockSizeFromMappedBio = new("ext4-block-size-from-mapped-bio",
        "a filesystem's block size, when the topology does not record it: a task that mapped blocks [pblk, pblk+len) (ext4_ext_map_blocks_exit) and then " +
        "queued a write bio on that device that lies inside that range for exactly one block size (1, 2 or 4 KiB) and inside none of the task's " +
        "earlier mappings for any (that bio may be an earlier extent's, submitted once the next extent's buffers do not merge into it)",
        "fs/ext4/inode.c mpage_map_and_submit_extent (maps, then submits the extent's buffers); fs/ext4/page-io.c io_submit_init_bio " +
        "(bi_sector = bh->b_blocknr * (bh->b_size >> 9)), io_submit_add_bh (ext4_io_submit when the buffer does not merge)");

    public static readonly InferenceRule ExtentMapNamesPageSector = new("extent-map-names-page-sector",
        "a page under writeback on a filesystem that names no sector for its data is at the sector its block mapping gave (ext4_ext_map_blocks_exit / " +
        "ext4_ind_map_blocks_exit: lblk -> pblk, times blocksize/512), so it is in the bio in flight that covers that sector",
        "fs/ext4/extents.c ext4_ext_map_blocks, fs/ext4/indirect.c ext4_ind_map_blocks (trace_ext4_*_map_blocks_exit); fs/ext4/page-io.c " +
        "io_submit_init_bio, ext4_bio_write_folio");

    public static readonly InferenceRule BufferIoWaitsOwnBio = new("buffer-io-waits-own-bio",
        "a task asleep in a buffer-head I/O wait (bit_wait_io under __wait_on_buffer / wait_on_buffer, as jbd2 does for its journal and superblock " +
        "blocks) whose last queued bio is still in flight waits for that bio: the buffer is unlocked by the bio's completion. Not a wait in " +
        "lock_buffer (__lock_buffer): that one is for a buffer another task has locked",
        "fs/buffer.c __wait_on_buffer (wait_on_bit_io on BH_Lock), __lock_buffer (wait_on_bit_lock_io), submit_bh, end_buffer_write_sync " +
        "(unlock_buffer at completion); " +
        "fs/jbd2/journal.c jbd2_write_superblock, fs/jbd2/commit.c jbd2_journal_commit_transaction (submit_bh then wait_on_buffer)");

    public static readonly InferenceRule WritebackJoinsBuildersBio = new("writeback-joins-builders-bio",
        "a page put under writeback by an event without a disk address (ext4's writepages, a writeback-start probe) is in the bio its writeback task is building",
        "fs/ext4/inode.c mpage_prepare_extent_to_map, mpage_submit_folio; fs/ext4/page-io.c ext4_bio_write_folio, io_submit_add_bh; " +
        "mm/page-writeback.c writeback_iter, __folio_start_writeback");

    public static readonly InferenceRule InodeWritebackNamesPageDevice = new("inode-writeback-names-page-device",
        "a page put under writeback by an event that names its inode and index but no device (a __folio_start_writeback / set_page_writeback " +
        "probe without dev=) while its task writes back that inode (between writeback_single_inode_start and writeback_single_inode, " +
        "which name the inode's bdi, or between ext4_writepages and ext4_writepages_result, which name its filesystem's device) is that " +
        "inode's page on that device, and joins the bio the task is building there",
        "fs/fs-writeback.c __writeback_single_inode (trace_writeback_single_inode_start, do_writepages(inode->i_mapping), " +
        "trace_writeback_single_inode); mm/page-writeback.c do_writepages -> ->writepages, writeback_iter (folios of that mapping only), " +
        "__folio_start_writeback; include/trace/events/writeback.h (bdi: inode_to_bdi(inode), the superblock's s_bdi); fs/ext4/inode.c " +
        "ext4_writepages (trace_ext4_writepages, ext4_do_writepages, trace_ext4_writepages_result: inode->i_sb->s_dev)");

    public static readonly InferenceRule BuilderSubmitsItsBio = new("builder-submits-its-bio",
        "a bio whose sectors were not known while it was built is the next write bio its builder queues on that device; for a filesystem on an " +
        "anonymous device (major 0: btrfs, whose pages are named by the superblock's anonymous dev and whose bios go to its member block devices), " +
        "the next write bio its builder queues on one of that filesystem's member block devices (as the topology lists them; without a topology, none)",
        "fs/ext4/page-io.c ext4_io_submit -> submit_bio; fs/btrfs/extent_io.c submit_write_bio -> fs/btrfs/bio.c btrfs_submit_bio -> btrfs_map_block " +
        "(maps to a member device of fs_info->fs_devices); fs/super.c set_anon_super / get_anon_bdev (major 0); block/blk-core.c submit_bio_noacct (trace_block_bio_queue)");

    public static readonly InferenceRule HungTaskLikelyOwner = new("hung-task-likely-owner",
        "khungtaskd's \"blocked on a mutex/semaphore/rw-semaphore likely owned by task ...\" line names the owner: the kernel's own guess, from the lock's owner field",
        "kernel/hung_task.c debug_show_blocker (CONFIG_DETECT_HUNG_TASK_BLOCKER); kernel/locking/mutex.c __mutex_owner");

    public static readonly InferenceRule HeldLocksList = new("held-locks-list",
        "in lockdep's held-locks lists, the lock a blocked task waits for is the last of its list; the task whose list holds the same lock address (not as its own awaited last entry) holds it",
        "kernel/locking/lockdep.c lockdep_print_held_locks, debug_show_all_locks (printed by kernel/hung_task.c check_hung_uninterruptible_tasks)");

    public static readonly InferenceRule SolePageLockHolder = new("sole-page-lock-holder",
        "a page lock named by no event (a kernel log names no pages) is held by the one other blocked task whose stack shows it sleeping with a page " +
        "lock held (the witness row of the page-lock table: a fault past its handler, hugetlb_wp, a write_begin past its lookup, truncate, migration); " +
        "with two or more such tasks, none is named",
        "mm/filemap.c filemap_fault, __filemap_get_folio, __folio_lock; mm/memory.c finish_fault; mm/hugetlb.c hugetlb_fault, hugetlb_wp; " +
        "fs/buffer.c block_write_begin; mm/truncate.c truncate_inode_pages_range; mm/migrate.c migrate_folio_unmap (each witness row cites its " +
        "own source: tracefx rules sole-page-lock-holder:FRAME)");

    public static readonly InferenceRule UnsubmittedBioHoldsWriteback = new("unsubmitted-bio-holds-writeback",
        "a task that built a bio and has not submitted it holds its pages under writeback: their writeback ends only after it submits. The " +
        "builder itself waiting on such a page waits for itself only while its stack is inside writepages, and not on btrfs (anonymous device), which " +
        "submits before it waits, possibly through a worker; after writepages returned (fdatawait) the bio was submitted where the trace did not show it",
        "mm/page-writeback.c __folio_start_writeback, folio_end_writeback, do_writepages; mm/filemap.c filemap_write_and_wait_range " +
        "(__filemap_fdatawrite_range, then __filemap_fdatawait_range); fs/iomap/buffered-io.c iomap_add_to_ioend, iomap_submit_ioend; " +
        "fs/ext4/page-io.c ext4_io_submit; fs/ext4/inode.c ext4_do_writepages (submits before it returns); fs/btrfs/extent_io.c " +
        "extent_write_cache_pages (submit_write_bio before folio_wait_writeback), fs/btrfs/bio.c btrfs_wq_submit_bio");

    public static readonly InferenceRule ManagedWaitWithoutOwner = new("managed-wait-without-owner",
        "a .NET thread waits on an object whose owner a dump cannot name (a wait handle, a task): the chain ends there, its root unknown",
        "dotnet/runtime src/coreclr/vm/syncblk.cpp (only Monitor and System.Threading.Lock record an owner thread)");

    public static readonly InferenceRule FuseWritebackInConnectionRequest = new("fuse-writeback-in-connection-request",
        "a page under writeback on a FUSE filesystem (its bdi 0:NN is a FUSE connection: the trace shows requests of connection NN, or the topology " +
        "a fuse mount of 0:NN; a fuseblk mount's bdi is \"MAJ:MIN-fuseblk\" of its block device MAJ:MIN) is in a WRITE request queued to that connection's daemon: its writeback ends only when the daemon answers (or the " +
        "connection is aborted). A wait on it waits for the connection's oldest request not answered",
        "fs/fuse/file.c fuse_writepages -> fuse_writepages_send -> fuse_flush_writepages -> fuse_send_writepage -> fuse_simple_background " +
        "(WRITE queued in the background), fuse_writepage_end -> fuse_writepage_finish (folio_end_writeback only at the answer), fuse_fsync -> " +
        "file_write_and_wait_range (fdatawait), fuse_launder_folio, fuse_wait_on_page_writeback; fs/fuse/inode.c fuse_bdi_init " +
        "(bdi named \"%u:%u%s\" of fc->dev, the superblock's anonymous s_dev, or of a fuseblk mount's block device with the suffix " +
        "\"-fuseblk\"; fuseblk_fs_type, FS_REQUIRES_DEV); fs/fuse/dev.c fuse_request_end (trace_fuse_request_end)");

    public static readonly InferenceRule FuseRequestWaitsForAnswer = new("fuse-request-waits-for-answer",
        "a task asleep in a FUSE request (its stack in request_wait_answer, under fuse_simple_request) waits for the answer to the request it " +
        "queued last on that connection and has not seen ended",
        "fs/fuse/dev.c __fuse_request_send -> fuse_send_one (trace_fuse_request_send), request_wait_answer (wait_event_interruptible, then " +
        "wait_event_killable on FR_FINISHED), fuse_request_end");

    public static readonly InferenceRule ServerHoldsQueuedRequest = new("server-holds-queued-request",
        "a request/response server (a FUSE daemon for its connection; the same shape as a loop device's worker for its bios, a dm or nbd worker, " +
        "an io_uring worker) holds the oldest request queued to it: for FUSE, the task the request's sender woke right after queueing it (the " +
        "witness woken-reader: the first sched_waking by the sender after fuse_request_send in the same run), else the one task seen answering " +
        "that connection (witness sole-answerer: fuse_request_end in its context), else, when the trace shows no answer at all and one FUSE " +
        "connection, the one task whose stack (a kernel stack event, a hung-task report or sysrq-w, the topology's stack at the end of the " +
        "recording) is in fuse_dev_do_read, a reader of /dev/fuse waiting for requests (witness reader-in-dev-read), else the one process the " +
        "capture-time topology shows holding /dev/fuse while it has one FUSE mount, that connection's (witness dev-fuse-holder); with two or more " +
        "answerers and no waking, none is named",
        "fs/fuse/dev.c fuse_dev_queue_req (list_add_tail(&req->list, &fiq->pending), fuse_dev_wake_and_unlock -> wake_up(&fiq->waitq): one " +
        "exclusive reader), fuse_dev_read -> fuse_dev_do_read (wait_event_interruptible_exclusive on fiq->waitq, takes the first pending request), " +
        "fuse_dev_do_write (request_find, fuse_request_end in the answering task), fuse_dev_open (/dev/fuse, the daemon's file)");

    /// <summary>All rules, by id.</summary>
    public static IReadOnlyList<InferenceRule> All { get; } =
    [
        BlockedStack, FaultHoldsFaultedPage, LoopWorkqueueServesItsDevice, LoopDeviceServedByLoopWorker, PercpuRwsemIsSbFreeze, FreezeIoNamesFrozenFs, LoopBackingFileFsIsFrozen, LoopWorkItemIoNamesBackingFs, WritebackJoinsBuildersBio,
        InodeWritebackNamesPageDevice, BuilderSubmitsItsBio, HungTaskLikelyOwner, HeldLocksList, SolePageLockHolder, UnsubmittedBioHoldsWriteback, ManagedWaitWithoutOwner,
        WritebackInStalledDeviceBios, Ext4BlockSizeFromMappedBio, ExtentMapNamesPageSector, BufferIoWaitsOwnBio,
        FuseWritebackInConnectionRequest, FuseRequestWaitsForAnswer, ServerHoldsQueuedRequest,
    ];

    /// <summary>The rule an id names; a cited <c>rule:witness</c> names its rule.</summary>
    public static InferenceRule? Find(string id)
    {
        foreach (var r in All)
            if (id == r.Id || (id.StartsWith(r.Id, StringComparison.Ordinal) && id.Length > r.Id.Length && id[r.Id.Length] == ':'))
                return r;
        return null;
    }
}
