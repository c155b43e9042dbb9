namespace TraceForensics.Replay.Tasks;

/// <summary>The kernel waits other than the page ones (vocabulary section 3), as rows of the same shape as
/// <see cref="PageLockStacks"/>: a frame of one of these functions names what its task sleeps for.</summary>
public static class KernelWaitStacks
{
    public static IReadOnlyList<StackFunction> Rows { get; } =
    [
        Wait("percpu_rwsem_wait", WaitKind.FrozenFilesystem, "kernel/locking/percpu-rwsem.c percpu_rwsem_wait: a reader of a per-cpu rw-semaphore " +
            "(sb_start_write -> __sb_start_write) waits while the writer (freeze_super) holds it"),
        Wait("__percpu_down_read", WaitKind.FrozenFilesystem, "kernel/locking/percpu-rwsem.c __percpu_down_read -> percpu_rwsem_wait"),
        Wait("__mutex_lock", WaitKind.Mutex, "kernel/locking/mutex.c __mutex_lock"),
        Wait("mutex_lock", WaitKind.Mutex, "kernel/locking/mutex.c mutex_lock"),
        Wait("__mutex_lock_slowpath", WaitKind.Mutex, "kernel/locking/mutex.c __mutex_lock_slowpath"),
        Wait("mutex_lock_killable", WaitKind.Mutex, "kernel/locking/mutex.c mutex_lock_killable"),
        Wait("mutex_lock_interruptible", WaitKind.Mutex, "kernel/locking/mutex.c mutex_lock_interruptible"),
        Wait("rwsem_down_read_slowpath", WaitKind.RwSemaphore, "kernel/locking/rwsem.c rwsem_down_read_slowpath"),
        Wait("rwsem_down_write_slowpath", WaitKind.RwSemaphore, "kernel/locking/rwsem.c rwsem_down_write_slowpath"),
        Wait("down_read", WaitKind.RwSemaphore, "kernel/locking/rwsem.c down_read"),
        Wait("down_write", WaitKind.RwSemaphore, "kernel/locking/rwsem.c down_write"),
        Wait("down_read_killable", WaitKind.RwSemaphore, "kernel/locking/rwsem.c down_read_killable"),
        Wait("down_write_killable", WaitKind.RwSemaphore, "kernel/locking/rwsem.c down_write_killable"),
        Wait("down", WaitKind.Semaphore, "kernel/locking/semaphore.c down"),
        Wait("__down", WaitKind.Semaphore, "kernel/locking/semaphore.c __down -> __down_common"),
        Wait("__down_common", WaitKind.Semaphore, "kernel/locking/semaphore.c __down_common"),
        Wait("down_timeout", WaitKind.Semaphore, "kernel/locking/semaphore.c down_timeout"),
        Wait("down_interruptible", WaitKind.Semaphore, "kernel/locking/semaphore.c down_interruptible"),
        Wait("jbd2_log_wait_commit", WaitKind.Journal, "fs/jbd2/journal.c jbd2_log_wait_commit"),
        Wait("wait_transaction_locked", WaitKind.Journal, "fs/jbd2/transaction.c wait_transaction_locked"),
        Wait("jbd2_journal_commit_transaction", WaitKind.Journal, "fs/jbd2/commit.c jbd2_journal_commit_transaction"),
        Wait("balance_dirty_pages", WaitKind.DirtyThrottle, "mm/page-writeback.c balance_dirty_pages"),
        Wait("balance_dirty_pages_ratelimited_flags", WaitKind.DirtyThrottle, "mm/page-writeback.c balance_dirty_pages_ratelimited_flags"),
        Wait("blk_mq_get_tag", WaitKind.BlockTags, "block/blk-mq-tag.c blk_mq_get_tag"),
        Wait("rq_qos_wait", WaitKind.BlockTags, "block/blk-rq-qos.c rq_qos_wait (writeback throttling)"),
    ];

    private static StackFunction Wait(string function, WaitKind kind, string source) => new(function, StackRole.WaitsFor, source) { Waits = kind };
}
