namespace TraceForensics.Ingest.Formats;

/// <summary>The kind of lock a hung-task blocker line names. kernel/hung_task.c, <c>debug_show_blocker()</c> (6.16+),
/// prints one line per blocker type: <c>BLOCKER_TYPE_MUTEX</c> ("is blocked on a mutex likely owned by task
/// comm:pid"), <c>BLOCKER_TYPE_SEM</c> ("blocked on a semaphore likely last held by task comm:pid"),
/// <c>BLOCKER_TYPE_RWSEM_READER</c>/<c>_WRITER</c> ("blocked on an rw-semaphore likely owned by task comm:pid"), and
/// the "but the owner is not found" variants of each.</summary>
public enum LockOwnerKind : byte
{
    /// <summary>Not a blocker line.</summary>
    None,
    Mutex,
    Semaphore,
    RwSemaphore,
}

/// <summary>The kind of a lock-dependency report that names a held and a wanted class: lockdep's banners in
/// kernel/locking/lockdep.c (<c>print_circular_bug_header()</c> "possible circular locking dependency detected",
/// <c>print_deadlock_bug()</c> "possible recursive locking detected", <c>print_bad_irq_dependency()</c>
/// "{HARDIRQ,SOFTIRQ}-safe -> ...-unsafe lock order detected"), or a DEPT report ("DEPT: Circular dependency has been
/// detected", kernel/dependency/dept.c of the DEPT patch set).</summary>
public enum LockdepReportKind : byte
{
    /// <summary>Not a lockdep report.</summary>
    None,
    Circular,
    Recursive,
    IrqOrder,
    Dept,
    /// <summary>print_irq_inversion_bug(): "possible irq lock inversion dependency detected".</summary>
    IrqInversion,
    /// <summary>print_usage_bug(): "inconsistent lock state" (one class, taken where it can interrupt its holder).</summary>
    InconsistentState,
}

/// <summary>The words the reports use for the kinds, as findings print them.</summary>
public static class KernelLogKindNames
{
    /// <summary><c>mutex</c>, <c>semaphore</c>, <c>rwsem</c>; null for <see cref="LockOwnerKind.None"/>.</summary>
    public static string? Name(this LockOwnerKind kind) => kind switch
    {
        LockOwnerKind.Mutex => "mutex",
        LockOwnerKind.Semaphore => "semaphore",
        LockOwnerKind.RwSemaphore => "rwsem",
        _ => null,
    };

    /// <summary><c>circular</c>, <c>recursive</c>, <c>irq-order</c>, <c>dept</c>; null for <see cref="LockdepReportKind.None"/>.</summary>
    public static string? Name(this LockdepReportKind kind) => kind switch
    {
        LockdepReportKind.Circular => "circular",
        LockdepReportKind.Recursive => "recursive",
        LockdepReportKind.IrqOrder => "irq-order",
        LockdepReportKind.Dept => "dept",
        LockdepReportKind.IrqInversion => "irq-inversion",
        LockdepReportKind.InconsistentState => "inconsistent",
        _ => null,
    };
}

/// <summary>The typed facts of one kernel-log report line, as <see cref="KernelLogTokenizer"/> parsed them: handed to
/// the Events layer through <see cref="RawRecord.Report"/> for the events <c>hung_task</c>, <c>hung_task_detail</c>,
/// <c>hung_task_blocker</c>, <c>held_lock</c> and <c>lockdep_circular</c> (no text round trip, so text taken from the
/// log — a comm, a class name — is only ever the value of its own field). One instance per tokenizer, reset for each
/// line: like the rest of the record, valid only until the next line is read. A field is null (or <c>None</c>) when
/// the line does not carry it.</summary>
public sealed class KernelLogReport
{
    // hung_task: "INFO: task comm:pid blocked for more than N seconds." (kernel/hung_task.c, check_hung_task())

    /// <summary>N of "blocked for more than N seconds" (also "blocked in I/O wait for more than", "can't die for more than").</summary>
    public long? HungSeconds;

    // hung_task_detail: sched_show_task()'s task line (kernel/sched/core.c) and the "Workqueue:" line of
    // print_worker_info() (kernel/workqueue.c), printed under a hung-task report

    /// <summary>The state letters of the task line (<c>state:D</c>, or the old form's one-letter column).</summary>
    public string? State;
    /// <summary><c>tgid:</c> of the task line (kernels since 6.8 print it; the old form has none).</summary>
    public int? Tgid;
    /// <summary><c>ppid:</c> of the task line (the old form's column after the pid).</summary>
    public int? Ppid;
    /// <summary>A kworker's workqueue and work function (<c>loop2 loop_rootcg_workfn</c>).</summary>
    public string? Workqueue;

    // hung_task_blocker: kernel/hung_task.c, debug_show_blocker()

    public LockOwnerKind OwnerKind;
    /// <summary>The likely owner (last holder, for a semaphore); null when "the owner is not found".</summary>
    public int? OwnerPid;
    public string? OwnerComm;

    // held_lock: an entry of lockdep_print_held_locks() (kernel/locking/lockdep.c, print_lock()):
    // " #0: ffff888104bd0d38 (&type->i_mutex_key#10){++++}-{4:4}, at: lock_two_nondirectories+0x6b/0xc0"

    /// <summary>The lock's class as lockdep names it (may hold spaces, parentheses, quotes: <c>(wq_completion)"writeback"</c>).</summary>
    public string? LockClass;
    /// <summary>The lock's address (the hex word after <c>#N:</c>).</summary>
    public ulong? LockAddress;
    /// <summary>Where the lock was taken (<c>at:</c>, function name without offset).</summary>
    public string? AcquireSite;
    /// <summary>The entry's place in the task's list (the N of <c>#N:</c>; print_lock's caller numbers the entries of
    /// curr->held_locks from 0 each time it prints a list).</summary>
    public int? LockDepth;

    // lockdep_circular: lockdep's reports naming a held and a wanted class, and DEPT's first context

    public LockdepReportKind ReportKind;
    /// <summary>The class the task already holds ("but task is already holding lock:"; DEPT's <c>[S]</c> class).</summary>
    public string? HeldClass;
    /// <summary>The class the task tries to acquire ("is trying to acquire lock:"; DEPT's <c>[W]</c> class).</summary>
    public string? WantedClass;
    /// <summary>lockdep's existing dependency chain as printed ("the existing dependency chain (in reverse order)
    /// is:", <c>-&gt; #N</c> first), or null when the report has none.</summary>
    public string[]? Chain;

    public void Reset()
    {
        HungSeconds = null;
        State = null;
        Tgid = Ppid = null;
        Workqueue = null;
        OwnerKind = LockOwnerKind.None;
        OwnerPid = null;
        OwnerComm = null;
        LockClass = null;
        LockAddress = null;
        AcquireSite = null;
        LockDepth = null;
        ReportKind = LockdepReportKind.None;
        HeldClass = WantedClass = null;
        Chain = null;
    }
}
