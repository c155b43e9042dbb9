using TraceForensics.Ingest.Formats;

namespace TraceForensics.Events.Model;

/// <summary>The typed facts decoded from an event's payload (vocabulary section 2). A field is null when the
/// event does not carry it. Page identity comes as (dev, ino, index), pfn or folio pointer; an event carrying two
/// of them binds them together. Each field means one thing; facts only one family of events carries are grouped in a
/// nested struct named for the family (<see cref="HungTask"/>, <see cref="LockOwner"/>, <see cref="HeldLock"/>,
/// <see cref="Lockdep"/>), held inline: decoding allocates nothing per event.</summary>
public struct EventPayload
{
    // page identity
    public DeviceNumber? Dev;
    public ulong? Ino;
    /// <summary>Page index in the file (from <c>index=</c>, or <c>ofs</c>/<c>pos</c> divided by the page size).</summary>
    public long? Index;
    public ulong? Pfn;
    /// <summary>A folio or page pointer (<c>folio=0xffffea...</c>).</summary>
    public ulong? Folio;

    // bio / request
    public ulong? Sector;
    public long? Sectors;
    /// <summary>Read/write flags of a bio or request (<c>WS</c>, <c>RA</c>, <c>FWFS</c>).</summary>
    public string? Rwbs;
    /// <summary>block_bio_remap / block_rq_remap: the device and sector the bio came from (<c>&lt;- (254,0) 456</c>).</summary>
    public DeviceNumber? FromDev;
    public ulong? FromSector;

    // memory
    public string? GfpFlags;
    public int? Order;
    public ReclaimScope Reclaim;

    // scheduling
    /// <summary>sched_switch's <c>prev_state</c>.</summary>
    public TaskState PrevState;
    /// <summary>The other task the event names: next_pid of a switch, the woken pid, the forked child, the exiting or
    /// hung pid of sched_process_exit/sched_process_hang.</summary>
    public int? OtherPid;
    public string? OtherComm;

    // functions and lock contention
    /// <summary>The probed function of a kprobe, the caller of sched_blocked_reason, the traced function.</summary>
    public string? Function;
    /// <summary>Where a kretprobe returned to (<c>writeback_iter+0x1a2/0x3c0</c>).</summary>
    public string? ReturnSite;
    public bool IsReturnProbe;
    /// <summary>lock:contention_begin/end's <c>lock_addr</c>.</summary>
    public ulong? LockAddress;
    /// <summary>lock:contention_begin's <c>flags</c> as printed (<c>MUTEX</c>, <c>READ|RWSEM</c>; include/trace/events/lock.h).</summary>
    public string? LockFlags;

    /// <summary>A count the event reports: pages written, bios unplugged, pages reclaimed, events lost.</summary>
    public long? Count;

    // kernel-log reports (one family per event; see the kernel-log reader, TraceForensics.Ingest.Formats.KernelLogTokenizer)

    /// <summary>hung_task and hung_task_detail: khungtaskd's report on a task.</summary>
    public HungTaskFacts HungTask;
    /// <summary>hung_task_blocker: the lock the hung task is blocked on and its likely owner.</summary>
    public LockOwnerFacts LockOwner;
    /// <summary>held_lock: one entry of a held-locks list.</summary>
    public HeldLockFacts HeldLock;
    /// <summary>lockdep_circular: a lockdep (or DEPT) report naming a held and a wanted class.</summary>
    public LockdepFacts Lockdep;

    public readonly bool HasPageIdentity => (Dev is not null && Ino is not null && Index is not null) || Pfn is not null || Folio is not null;
}

/// <summary>What khungtaskd's report says of a hung task (kernel/hung_task.c, check_hung_task(): "INFO: task comm:pid
/// blocked for more than N seconds.", then sched_show_task()'s task line and, for a kworker, the "Workqueue:" line of
/// print_worker_info()).</summary>
public struct HungTaskFacts
{
    /// <summary>hung_task: N of "blocked for more than N seconds".</summary>
    public long? Seconds;
    /// <summary>hung_task_detail: the state of the task line (<c>state:D</c>).</summary>
    public TaskState State;
    /// <summary>hung_task_detail: <c>tgid:</c> of the task line.</summary>
    public int? Tgid;
    /// <summary>hung_task_detail: <c>ppid:</c> of the task line.</summary>
    public int? Ppid;
    /// <summary>hung_task_detail: a kworker's workqueue and work function (<c>loop2 loop_rootcg_workfn</c>).</summary>
    public string? Workqueue;
}

/// <summary>A hung-task blocker line (kernel/hung_task.c, debug_show_blocker(): "INFO: task X:P is blocked on a mutex
/// likely owned by task Y:Q.", its semaphore and rw-semaphore variants, "but the owner is not found").</summary>
public struct LockOwnerFacts
{
    public LockOwnerKind Kind;
    /// <summary>The likely owner; null when the kernel found none.</summary>
    public int? Pid;
    public string? Comm;
}

/// <summary>An entry of a held-locks list (kernel/locking/lockdep.c, lockdep_print_held_locks() and print_lock():
/// <c>#0: ffff888104bd0d38 (&amp;type->i_mutex_key#10){++++}-{4:4}, at: lock_two_nondirectories+0x6b/0xc0</c>).</summary>
public struct HeldLockFacts
{
    /// <summary>The lock class as lockdep names it (<c>&amp;type->i_mutex_key#10</c>, <c>(wq_completion)"writeback"</c>).</summary>
    public string? Class;
    public ulong? Address;
    /// <summary>Where it was acquired (the <c>at:</c> function).</summary>
    public string? AcquireSite;
}

/// <summary>A lockdep report naming a held and a wanted class (kernel/locking/lockdep.c: print_circular_bug(),
/// print_deadlock_bug(), print_bad_irq_dependency()), or DEPT's first context.</summary>
public struct LockdepFacts
{
    public LockdepReportKind Kind;
    /// <summary>The class the task holds.</summary>
    public string? HeldClass;
    /// <summary>The class it tries to acquire while holding <see cref="HeldClass"/>.</summary>
    public string? WantedClass;
    /// <summary>lockdep's existing dependency chain, as printed (#N first); null when the report has none.</summary>
    public string[]? Chain;

    /// <summary>The kind as findings name it (<c>circular</c>, <c>recursive</c>, <c>irq-order</c>, <c>dept</c>); null
    /// when not a report.</summary>
    public readonly string? ReportName => Kind.Name();
}
