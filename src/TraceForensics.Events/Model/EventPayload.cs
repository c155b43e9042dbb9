namespace TraceForensics.Events.Model;

/// <summary>The typed facts decoded from an event's payload (vocabulary section 2). A field is null when the
/// event does not carry it. Page identity comes as (dev, ino, index), pfn or folio pointer; an event carrying two
/// of them binds them together.</summary>
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
    public TaskState PrevState;
    /// <summary>The other task of the event: next_pid of a switch, the woken pid, the hung or blocked pid.</summary>
    public int? OtherPid;
    public string? OtherComm;

    // functions and locks
    /// <summary>The probed function of a kprobe, the caller of sched_blocked_reason, the traced function.</summary>
    public string? Function;
    /// <summary>Where a kretprobe returned to (<c>writeback_iter+0x1a2/0x3c0</c>).</summary>
    public string? ReturnSite;
    public bool IsReturnProbe;
    public ulong? LockAddress;
    /// <summary>A lock class as lockdep names it (<c>&amp;type->i_mutex_key#10</c>, <c>(wq_completion)"writeback"</c>).</summary>
    public string? LockClass;
    /// <summary>The other class of a lockdep report: the one wanted while <see cref="LockClass"/> was held.</summary>
    public string? OtherLockClass;
    public string? LockFlags;

    /// <summary>Parent pid, from a hung-task report's task line.</summary>
    public int? Ppid;
    /// <summary>A kworker's workqueue and work function (<c>loop2 loop_rootcg_workfn</c>).</summary>
    public string? Workqueue;
    /// <summary>lockdep's existing dependency chain, as printed (#N first).</summary>
    public string[]? LockChain;

    /// <summary>A count the event reports: pages written, bios unplugged, pages reclaimed.</summary>
    public long? Count;

    public readonly bool HasPageIdentity => (Dev is not null && Ino is not null && Index is not null) || Pfn is not null || Folio is not null;
}
