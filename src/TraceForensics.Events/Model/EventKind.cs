namespace TraceForensics.Events.Model;

/// <summary>What an event means, whatever the kernel version called it (see
/// <see cref="Dictionary.EventDictionary"/>). The kebab-case names (<see cref="EventKindNames"/>) are those of
/// <c>--events-map</c> files.</summary>
public enum EventKind : byte
{
    Unknown,
    // scheduling
    SchedSwitch,
    SchedWaking,
    SchedWakeup,
    ProcessFork,
    ProcessExec,
    ProcessExit,
    /// <summary>khungtaskd's verdict: <c>sched_process_hang</c>, or a hung-task report in a kernel log.</summary>
    ProcessHang,
    /// <summary>Android's <c>sched_blocked_reason</c>: the caller a task blocked in.</summary>
    BlockedReason,
    // page lock
    PageLockWait,
    PageLockAcquired,
    PageUnlock,
    // page writeback
    FolioDirtied,
    WritebackStart,
    WritebackEnd,
    WritebackWait,
    WritebackInode,
    WritebackWork,
    /// <summary>A filesystem mapped file blocks to disk blocks (ext4's <c>ext4_ext_map_blocks_exit</c>,
    /// <c>ext4_ind_map_blocks_exit</c>): logical block <see cref="EventPayload.Index"/> of inode
    /// <see cref="EventPayload.Ino"/> is at physical block <see cref="EventPayload.Sector"/>, for
    /// <see cref="EventPayload.Count"/> blocks. Both in filesystem blocks, not pages or sectors.</summary>
    BlockMap,
    /// <summary>A journal commit step on device <see cref="EventPayload.Dev"/> (jbd2: start, locking, flushing,
    /// logging, end of transaction <see cref="EventPayload.Count"/>; submitting an inode's data).</summary>
    JournalCommit,
    /// <summary>A btrfs ordered extent (file range under writeback whose disk extent is being written) was added,
    /// started, finished or removed: inode <see cref="EventPayload.Ino"/>, first page <see cref="EventPayload.Index"/>,
    /// <see cref="EventPayload.Sectors"/> long.</summary>
    OrderedExtent,
    // bios, requests, plugs
    BioQueue,
    BioMerge,
    BioSplit,
    BioRemap,
    BioComplete,
    RequestGet,
    RequestInsert,
    RequestIssue,
    RequestComplete,
    Plug,
    Unplug,
    // reclaim
    ReclaimBegin,
    ReclaimEnd,
    ReclaimShrinkInactive,
    ReclaimWrite,
    ReclaimThrottled,
    KswapdWake,
    KswapdSleep,
    // page cache and faults
    PageCacheAdd,
    PageCacheDelete,
    FilemapFault,
    FsFault,
    // kernel locks
    LockContentionBegin,
    LockContentionEnd,
    MmapLock,
    /// <summary>A kernel log's "blocked on a mutex likely owned by task ..." (and semaphore/rwsem variants).</summary>
    LockOwner,
    /// <summary>A hung-task report's task line and workqueue: state, tgid, ppid, workqueue.</summary>
    HungTaskDetail,
    /// <summary>An entry of a kernel log's held-locks list.</summary>
    LockHeld,
    /// <summary>A lockdep circular-dependency report: a task holding one class tried to take another.</summary>
    LockdepReport,
    // workqueues (kernel/workqueue.c, include/trace/events/workqueue.h)
    /// <summary>workqueue_queue_work: a work item (by its work struct pointer) queued on a named workqueue.</summary>
    WorkQueued,
    /// <summary>workqueue_execute_start: a kworker starts running a work item.</summary>
    WorkStart,
    /// <summary>workqueue_execute_end: it is done with it.</summary>
    WorkEnd,
    // FUSE (fs/fuse/fuse_trace.h)
    /// <summary>fuse_request_send: a request (unique <see cref="EventPayload.Count"/>) queued for the daemon of connection
    /// <see cref="EventPayload.Dev"/> (the filesystem's anonymous device), by the task that queues it.</summary>
    FuseRequestSend,
    /// <summary>fuse_request_end: request <see cref="EventPayload.Count"/> of connection <see cref="EventPayload.Dev"/>
    /// ended, in the context of the task that ended it (the daemon thread writing its answer to /dev/fuse).</summary>
    FuseRequestEnd,
    // allocation
    PageAlloc,
    /// <summary>A function-tracer entry (<c>func &lt;-parent</c>).</summary>
    Function,
    // storage topology at capture time (a topology file: README, "The topology file"); time 0, no task
    /// <summary>A loop device (<see cref="EventPayload.Dev"/>), its backing file and the filesystem that file lives on
    /// (<see cref="EventPayload.Topology"/>).</summary>
    LoopBacking,
    /// <summary>A mount: the mounted device (<see cref="EventPayload.Dev"/>), its mount point and filesystem type.</summary>
    Mount,
    /// <summary>A device-mapper device (<see cref="EventPayload.Dev"/>), its name and the devices under it.</summary>
    DmDevice,
    /// <summary>A mounted filesystem (<see cref="EventPayload.Dev"/>: its <c>st_dev</c>), its type, block size and
    /// backing_dev_info (<see cref="EventPayload.Topology"/>).</summary>
    Filesystem,
    /// <summary>A btrfs filesystem: its anonymous device when mounted (<see cref="EventPayload.Dev"/>), its fsid, bdi and
    /// block devices (<see cref="EventPayload.Topology"/>).</summary>
    BtrfsFilesystem,
    /// <summary>A process holding /dev/fuse open (<see cref="EventPayload.OtherPid"/>, <see cref="EventPayload.OtherComm"/>):
    /// a FUSE daemon.</summary>
    FuseDevHolder,
    /// <summary>A thread of a /dev/fuse holder as /proc showed it when the recording ended (<see cref="EventPayload.OtherPid"/>:
    /// its tid; <see cref="EventPayload.Topology"/>: its process, state, wchan, syscall and kernel stack).</summary>
    ThreadStack,
    /// <summary>Not a kernel event: the ring buffer lost events here (<c>[LOST N EVENTS]</c>); state built across it is
    /// uncertain. Named <c>lost_events</c>; not counted as an event.</summary>
    TraceGap,
}
