using TraceForensics.Ingest.Formats;

namespace TraceForensics.Events.Model;

/// <summary>The typed facts decoded from an event's payload (vocabulary section 2). A field is null when the
/// event does not carry it. Page identity comes as (dev, ino, index), pfn or folio pointer; an event carrying two
/// of them binds them together. Each field means one thing; the facts of the kernel-log report families are read
/// through a typed view named for the family (<see cref="HungTask"/>, <see cref="LockOwner"/>, <see cref="HeldLock"/>,
/// <see cref="Lockdep"/>) over one inline storage they share (the families exclude each other), so the payload stays
/// small and decoding allocates nothing per event.</summary>
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

    /// <summary>The facts of a storage-topology event (<see cref="EventKind.LoopBacking"/>, <see cref="EventKind.Mount"/>,
    /// <see cref="EventKind.DmDevice"/>, <see cref="EventKind.Filesystem"/>, <see cref="EventKind.BtrfsFilesystem"/>), whose
    /// device is <see cref="Dev"/>; null for every other event.</summary>
    public TopologyFacts? Topology
    {
        readonly get => _rare as TopologyFacts;
        set => _rare = value;
    }

    /// <summary>The facts of the rare families that come as one object (<see cref="Topology"/>, <see cref="Work"/>): one
    /// reference for all of them, each read back by its own type, so the payload every event copies stays small.</summary>
    private object? _rare;

    /// <summary>A count the event reports: pages written, bios unplugged, pages reclaimed, events lost.</summary>
    public long? Count;

    // kernel-log reports (one family per event; see the kernel-log reader, TraceForensics.Ingest.Formats.KernelLogTokenizer)

    /// <summary>The facts of the kernel-log families, which exclude each other (a report line is of one family):
    /// stored once, tagged with the family that wrote them, read through that family's typed view. Another family's
    /// view of them is empty (nulls, <c>None</c>): it cannot misread one family's slots as its own.</summary>
    internal KernelReportFacts Report;

    /// <summary>hung_task and hung_task_detail: khungtaskd's report on a task.</summary>
    public readonly HungTaskFacts HungTask => new(Of(KernelReportFamily.HungTask));
    /// <summary>hung_task_blocker: the lock the hung task is blocked on and its likely owner.</summary>
    public readonly LockOwnerFacts LockOwner => new(Of(KernelReportFamily.LockOwner));
    /// <summary>held_lock: one entry of a held-locks list.</summary>
    public readonly HeldLockFacts HeldLock => new(Of(KernelReportFamily.HeldLock));
    /// <summary>lockdep_circular: a lockdep (or DEPT) report naming a held and a wanted class.</summary>
    public readonly LockdepFacts Lockdep => new(Of(KernelReportFamily.Lockdep));

    private readonly KernelReportFacts Of(KernelReportFamily family) => Report.Family == family ? Report : default;

    // workqueues
    /// <summary>The work item of a workqueue event; its function is in <see cref="Function"/>; null for every other event.</summary>
    public WorkItemFacts? Work
    {
        readonly get => _rare as WorkItemFacts;
        set => _rare = value;
    }

    public readonly bool HasPageIdentity => (Dev is not null && Ino is not null && Index is not null) || Pfn is not null || Folio is not null;
}

/// <summary>Storage of the kernel-log families' facts (the views below say what each slot means for a family). Only
/// the kernel-log decoding (Decoding/KernelLogPayloads.cs) writes it.</summary>
internal struct KernelReportFacts
{
    public string? Text1, Text2, Text3;
    public string[]? Chain;
    public long? Number;
    public int? Int1, Int2;
    public TaskState State;
    public byte Kind;
    /// <summary>Which family's view wrote these facts.</summary>
    public KernelReportFamily Family;
}

internal enum KernelReportFamily : byte { None, HungTask, LockOwner, HeldLock, Lockdep }

/// <summary>What khungtaskd's report says of a hung task (kernel/hung_task.c, check_hung_task(): "INFO: task comm:pid
/// blocked for more than N seconds.", then sched_show_task()'s task line and, for a kworker, the "Workqueue:" line of
/// print_worker_info()).</summary>
public readonly struct HungTaskFacts
{
    private readonly KernelReportFacts _f;
    internal HungTaskFacts(KernelReportFacts f) => _f = f;

    /// <summary>hung_task: N of "blocked for more than N seconds".</summary>
    public long? Seconds => _f.Number;
    /// <summary>hung_task_detail: the state of the task line (<c>state:D</c>).</summary>
    public TaskState State => _f.State;
    /// <summary>hung_task_detail: <c>tgid:</c> of the task line.</summary>
    public int? Tgid => _f.Int1;
    /// <summary>hung_task_detail: <c>ppid:</c> of the task line.</summary>
    public int? Ppid => _f.Int2;
    /// <summary>hung_task_detail: a kworker's workqueue and work function (<c>loop2 loop_rootcg_workfn</c>).</summary>
    public string? Workqueue => _f.Text1;

    internal static void Set(ref KernelReportFacts f, long? seconds, TaskState state, int? tgid, int? ppid, string? workqueue)
    {
        f.Family = KernelReportFamily.HungTask;
        f.Number = seconds;
        f.State = state;
        f.Int1 = tgid;
        f.Int2 = ppid;
        f.Text1 = workqueue;
    }
}

/// <summary>A hung-task blocker line (kernel/hung_task.c, debug_show_blocker(): "INFO: task X:P is blocked on a mutex
/// likely owned by task Y:Q.", its semaphore and rw-semaphore variants, "but the owner is not found").</summary>
public readonly struct LockOwnerFacts
{
    private readonly KernelReportFacts _f;
    internal LockOwnerFacts(KernelReportFacts f) => _f = f;

    public LockOwnerKind Kind => (LockOwnerKind)_f.Kind;
    /// <summary>The likely owner; null when the kernel found none.</summary>
    public int? Pid => _f.Int1;
    public string? Comm => _f.Text1;

    internal static void Set(ref KernelReportFacts f, LockOwnerKind kind, int? pid, string? comm)
    {
        f.Family = KernelReportFamily.LockOwner;
        f.Kind = (byte)kind;
        f.Int1 = pid;
        f.Text1 = comm;
    }
}

/// <summary>An entry of a held-locks list (kernel/locking/lockdep.c, lockdep_print_held_locks() and print_lock():
/// <c>#0: ffff888104bd0d38 (&amp;type->i_mutex_key#10){++++}-{4:4}, at: lock_two_nondirectories+0x6b/0xc0</c>).</summary>
public readonly struct HeldLockFacts
{
    private readonly KernelReportFacts _f;
    internal HeldLockFacts(KernelReportFacts f) => _f = f;

    /// <summary>The lock class as lockdep names it (<c>&amp;type->i_mutex_key#10</c>, <c>(wq_completion)"writeback"</c>).</summary>
    public string? Class => _f.Text1;
    public ulong? Address => (ulong?)_f.Number;
    /// <summary>Where it was acquired (the <c>at:</c> function).</summary>
    public string? AcquireSite => _f.Text2;
    /// <summary>Its place in the list as printed (<c>#N</c>): 0 starts the task's list afresh.</summary>
    public int? Depth => _f.Int1;

    internal static void Set(ref KernelReportFacts f, string? cls, ulong? address, string? site, int? depth = null)
    {
        f.Family = KernelReportFamily.HeldLock;
        f.Int1 = depth;
        f.Text1 = cls;
        f.Number = (long?)address;
        f.Text2 = site;
    }
}

/// <summary>A lockdep report naming a held and a wanted class (kernel/locking/lockdep.c: print_circular_bug(),
/// print_deadlock_bug(), print_bad_irq_dependency()), or DEPT's first context.</summary>
public readonly struct LockdepFacts
{
    private readonly KernelReportFacts _f;
    internal LockdepFacts(KernelReportFacts f) => _f = f;

    public LockdepReportKind Kind => (LockdepReportKind)_f.Kind;
    /// <summary>The class the task holds.</summary>
    public string? HeldClass => _f.Text1;
    /// <summary>The class it tries to acquire while holding <see cref="HeldClass"/>.</summary>
    public string? WantedClass => _f.Text2;
    /// <summary>lockdep's existing dependency chain, as printed (#N first); null when the report has none.</summary>
    public string[]? Chain => _f.Chain;

    internal static void Set(ref KernelReportFacts f, LockdepReportKind kind, string? held, string? wanted, string[]? chain)
    {
        f.Family = KernelReportFamily.Lockdep;
        f.Kind = (byte)kind;
        f.Text1 = held;
        f.Text2 = wanted;
        f.Chain = chain;
    }
}
