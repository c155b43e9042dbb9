using TraceForensics.Events.Model;
using TraceForensics.Replay.Pages;

namespace TraceForensics.Analysis.Graph;

/// <summary>A node of the wait-for graph: a task or an object a task can wait on. Each kind knows its words
/// (<see cref="Label"/>), resolved while analysing, so a finding needs no replay state to be read. Ids for the
/// findings contract come from <see cref="NodeId"/> only.</summary>
public abstract record WaitNode
{
    /// <summary>The node in the kernel's words: <c>dd:4005</c>, <c>writeback of page 7:1 ino 131 index 5</c>.</summary>
    public abstract string Label { get; }
}

/// <summary>A task in one life: a pid reused after exit is another task (<see cref="Generation"/> counts the lives
/// the trace showed; a later life is labelled <c>comm:pid#N</c>). Two task nodes are the same task whatever comm each
/// was labelled with.</summary>
public sealed record TaskNode(int Pid, int Generation, string? Comm) : WaitNode
{
    public override string Label => (Comm is null ? $"task {Pid}" : $"{Comm}:{Pid}") + (Generation == 0 ? "" : $"#{Generation}");
    public bool Equals(TaskNode? other) => other is not null && other.Pid == Pid && other.Generation == Generation;
    public override int GetHashCode() => HashCode.Combine(Pid, Generation);
}

/// <summary>The lock of a page; <see cref="Page"/> null when only a stack said "a page lock" (one node per waiter:
/// two unnamed pages are not the same page).</summary>
public sealed record PageLockNode(PageKey? Page, int UnnamedForPid = 0) : WaitNode
{
    public override string Label => Page is { } p ? $"lock of page {p.Dev} ino {p.Ino} index {p.Index}" : "a page lock the trace does not name";
}

/// <summary>Writeback of a page (PG_writeback); <see cref="Page"/> null when only a stack said so.</summary>
public sealed record WritebackNode(PageKey? Page, int UnnamedForPid = 0) : WaitNode
{
    public override string Label => Page is { } p ? $"writeback of page {p.Dev} ino {p.Ino} index {p.Index}" : "writeback of a page the trace does not name";
}

/// <summary>A bio (an ioend being built, submitted or in flight): by its first sector, or, while no event gave its
/// disk address, by the task building it.</summary>
public sealed record BioNode(DeviceNumber Dev, ulong? Sector, int BuilderPid) : WaitNode
{
    public override string Label => Sector is ulong s ? $"bio {Dev} sector {s}" : $"a bio on {Dev} (sectors unknown until submitted)";
    /// <summary>A bio with a disk address is that address, whoever built it; without one, its builder names it.</summary>
    public bool Equals(BioNode? other) => other is not null && other.Dev == Dev && other.Sector == Sector && (Sector is not null || other.BuilderPid == BuilderPid);
    public override int GetHashCode() => Sector is ulong s ? HashCode.Combine(Dev, s) : HashCode.Combine(Dev, BuilderPid);
}

/// <summary>The bios in flight on a device that has stopped completing them, when a wait is known to be for one of them
/// but not which (rule writeback-in-stalled-device-bios): one node per device, so every waiter on that device shares
/// it. The label says how many, the oldest, and the last completion before the stall.</summary>
public sealed record StalledBiosNode(DeviceNumber Dev, int Count, ulong OldestSector, long OldestQueuedNs, long? LastCompletionNs) : WaitNode
{
    public override string Label =>
        $"{(Count == 1 ? "the bio" : $"one of the {Count} bios")} in flight on {Dev} (oldest: sector {OldestSector} queued at {TraceTime.Format(OldestQueuedNs)}; " +
        (LastCompletionNs is long c ? $"no completion on {Dev} since {TraceTime.Format(c)})" : $"no completion on {Dev} in the input)");
    public bool Equals(StalledBiosNode? other) => other is not null && other.Dev == Dev;
    public override int GetHashCode() => Dev.GetHashCode();
}

/// <summary>A block device.</summary>
public sealed record DeviceNode(DeviceNumber Dev) : WaitNode
{
    public override string Label => $"device {Dev}";
}

/// <summary>A FUSE connection (the filesystem's anonymous device, fc->dev), with the mount the topology recorded for it
/// (type and mount point) when it did.</summary>
public sealed record FuseConnectionNode(DeviceNumber Dev, string? Mount) : WaitNode
{
    public override string Label => Mount is null ? $"FUSE connection {Dev}" : $"FUSE connection {Dev} ({Mount})";
    public bool Equals(FuseConnectionNode? other) => other is not null && other.Dev == Dev;
    public override int GetHashCode() => Dev.GetHashCode();
}

/// <summary>A kernel lock: by address (<c>0xffff...</c>), by lockdep class (<c>&amp;sb-&gt;s_type-&gt;i_mutex_key#10</c>), or
/// by the function a stack shows waiting, when nothing names the lock. A class names many locks (every inode has an
/// <c>i_rwsem</c> of one class): where a held-locks list gives the instance's address
/// (kernel/locking/lockdep.c print_lock: <c>#N: ADDRESS (CLASS){...}</c>), the node is that instance, so two tasks
/// waiting for two locks of one class are not waiting for one lock (nor its holder for both). Lockdep's own reports
/// reason on classes, and their nodes are classes.</summary>
public sealed record KernelLockNode(string Name) : WaitNode
{
    /// <summary>The lock instance's address, when a held-locks list printed it.</summary>
    public ulong? Address { get; init; }

    public static KernelLockNode At(ulong address) => new($"0x{address:x}");

    /// <summary>The lock of a held-locks entry: its class, and its instance when the entry has an address.</summary>
    public static KernelLockNode Of(string cls, ulong? address) => new(cls) { Address = address };
    public override string Label => Address is ulong a ? $"lock {Name} at 0x{a:x}" : $"lock {Name}";
}

/// <summary>The owner a hung-task report could not find of the lock a task waits for (mutex, rwsem, semaphore).</summary>
public sealed record OwnerNotFoundNode(Ingest.Formats.LockOwnerKind LockKind) : WaitNode
{
    /// <summary>The lock's kind as the report words it (<c>mutex</c>, <c>rwsem</c>, <c>semaphore</c>; <c>lock</c> when it said none).</summary>
    public string KindName => Ingest.Formats.KernelLogKindNames.Name(LockKind) ?? "lock";
    public override string Label => $"a {KindName} whose owner the report did not find";
}

/// <summary>A frozen filesystem (fsfreeze), on its device when the evidence names it; otherwise
/// <see cref="Unknown"/> says why it does not, and the node is the waiter's own (two unnamed frozen filesystems are not
/// the same one, so independent chains stay apart).</summary>
public sealed record FrozenFsNode(DeviceNumber? Dev, string? Unknown = null, int UnnamedForPid = 0) : WaitNode
{
    public override string Label => Dev is { } d ? $"frozen filesystem on {d}"
        : Unknown is null ? "a frozen filesystem" : $"a frozen filesystem (device unknown: {Unknown})";
}

/// <summary>A wait class lockdep does not track, for the inversion detector: any page lock, or page writeback.</summary>
public sealed record WaitClassNode(WaitClass Class) : WaitNode
{
    public override string Label => Class == WaitClass.PageLock ? "a page lock" : "page writeback";
}

public enum WaitClass : byte { PageLock, PageWriteback }

/// <summary>A .NET lock object (Monitor or System.Threading.Lock) in a process dump.</summary>
public sealed record ManagedLockNode(string Type, ulong Address) : WaitNode
{
    public override string Label => $"lock {Type}@0x{Address:x}";
}

/// <summary>What a .NET thread waits on when a dump cannot name an owner (a wait handle, a task).</summary>
public sealed record ManagedWaitNode(string What) : WaitNode
{
    public override string Label => $"lock {What} (owner unknown)";
}
