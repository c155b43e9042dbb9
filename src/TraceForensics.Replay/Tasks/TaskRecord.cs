using TraceForensics.Events.Model;
using TraceForensics.Replay.Evidence;
using TraceForensics.Replay.Pages;

namespace TraceForensics.Replay.Tasks;

/// <summary>One task (a pid in one life: a reused pid is a new record with the next generation) as replayed.</summary>
public sealed class TaskRecord(int pid, int generation, string comm)
{
    public int Pid { get; } = pid;
    public int Generation { get; } = generation;
    public string Comm { get; internal set; } = comm;
    public int Tgid { get; internal set; } = -1;
    public TaskRunState State { get; internal set; }
    /// <summary>True when a hang report showed it blocked without the trace showing it go to sleep: the real start of
    /// the wait is earlier than <see cref="StateSinceNs"/>.</summary>
    public bool BlockedSinceUnknown { get; internal set; }
    public long StateSinceNs { get; internal set; }
    /// <summary>The sched_switch that put it to sleep (for blocked and sleeping tasks).</summary>
    public EvidenceLine? SleepLine { get; internal set; }
    /// <summary>Stack id of the switch that put it to sleep, 0 when the trace has none.</summary>
    public int SleepStackId { get; internal set; }
    /// <summary>What it announced it waits on (folio_wait_writeback, a page-lock probe, lock contention) since it last ran.</summary>
    public WaitTarget? Wait { get; internal set; }
    /// <summary>The page of its last page-lock slow path (probe on __folio_lock), until the return probe says it holds it.</summary>
    public PageKey? PendingLockPage { get; internal set; }
    /// <summary>The last stack seen for it (any event), to read context from.</summary>
    public int LastStackId { get; internal set; }
    public long LastSeenNs { get; internal set; }

    // Context held
    public int ReclaimDepth { get; internal set; }
    /// <summary>The inode it is writing back (writeback_single_inode_start: the bdi's device, the inode; ext4_writepages:
    /// the filesystem's device, the inode) until writeback_single_inode / ext4_writepages_result says it is done, with
    /// the line that said so.</summary>
    public (DeviceNumber Dev, ulong Ino, EvidenceLine Line)? InodeWriteback { get; internal set; }
    /// <summary>The page of its last mm_filemap_fault, while the fault may still be in progress.</summary>
    public PageKey? FaultPage { get; internal set; }
    public EvidenceLine? FaultLine { get; internal set; }

    /// <summary>The sched_switch whose stack last showed it freezing a filesystem (inside freeze_super), until a later
    /// sleep's stack does not, or it execs or exits.</summary>
    public EvidenceLine? FreezingSince { get; internal set; }

    /// <summary>What a kernel log said blocks it: "blocked on a mutex likely owned by task ..." (kind, owner pid or
    /// null when "the owner is not found").</summary>
    public (Ingest.Formats.LockOwnerKind Kind, int? OwnerPid, EvidenceLine Line)? Blocker { get; internal set; }

    /// <summary>"blocked for more than N seconds" of the latest hung-task report.</summary>
    public long? ReportedBlockedSeconds { get; internal set; }
    /// <summary>The workqueue and work function a kworker was running (from a hung-task report).</summary>
    public string? Workqueue { get; internal set; }
    /// <summary>The report line that named <see cref="Workqueue"/>.</summary>
    public EvidenceLine? WorkqueueLine { get; internal set; }
    /// <summary>The sleep (its sched_switch) the task was in when that report was made, if the trace showed it.</summary>
    public EvidenceLine? WorkqueueSleep { get; internal set; }

    /// <summary>Locks a kernel log's held-locks list showed it holding (class, acquire site).</summary>
    public IReadOnlyList<(string Class, ulong? Address, string? Site, EvidenceLine Line)> HeldLocks => (IReadOnlyList<(string, ulong?, string?, EvidenceLine)>?)_heldLocks ?? [];

    /// <summary>Made for the first entry: most tasks never have one, and 100k tasks need not be 100k empty lists.</summary>
    private List<(string Class, ulong? Address, string? Site, EvidenceLine Line)>? _heldLocks;

    internal void AddHeldLock((string Class, ulong? Address, string? Site, EvidenceLine Line) held) => (_heldLocks ??= new()).Add(held);

    /// <summary>Keeps the first <paramref name="count"/> entries: a list printed again replaces the one before.</summary>
    internal void TruncateHeldLocks(int count) => _heldLocks?.RemoveRange(count, _heldLocks.Count - count);

    /// <summary>When khungtaskd reported it (sched_process_hang, or a hung-task report in a kernel log).</summary>
    public EvidenceLine? HangReport { get; internal set; }

    public bool IsBlocked => State == TaskRunState.Blocked;

    /// <summary>A copy that shares nothing mutable with this record (for replay checkpoints).</summary>
    internal TaskRecord Clone()
    {
        var c = (TaskRecord)MemberwiseClone();
        c._heldLocks = _heldLocks is null ? null : new(_heldLocks);
        return c;
    }

    public override string ToString() => $"{Comm}:{Pid}";
}
