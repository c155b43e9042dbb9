namespace TraceForensics.Analysis.Graph;

/// <summary>What an edge of the wait-for graph says: <c>From</c> cannot proceed until <c>To</c> does, because ...
/// Each relation's id and words for every renderer are in <see cref="RelationWords"/>.</summary>
public enum Relation : byte
{
    // a task waits for an object
    WaitsForWriteback,
    WaitsForPageLock,
    WaitsForLock,
    WaitsForMutex,
    WaitsForRwSemaphore,
    WaitsForSemaphore,
    WaitsForCompletion,
    WaitsForJournal,
    WaitsForDirtyThrottle,
    WaitsForBlockTags,
    WaitsForFrozenFs,
    /// <summary>A task waits for a bio it submitted itself (a buffer head's I/O).</summary>
    WaitsForBio,
    /// <summary>khungtaskd's "blocked on a mutex likely owned by": task to owner.</summary>
    WaitsForMutexOwner,
    WaitsForRwsemOwner,
    WaitsForSemaphoreOwner,
    /// <summary>A blocker line that named no lock kind.</summary>
    WaitsForLockOwner,
    WaitsForMonitor,
    /// <summary>A .NET wait with no owner to name.</summary>
    WaitsFor,
    /// <summary>A task waits for the answer to a request it queued to a userspace server (a FUSE daemon).</summary>
    WaitsForAnswer,

    // an object waits for another object or a task
    InBio,
    /// <summary>A page's writeback is in one of a stalled device's in-flight bios, not known which.</summary>
    InOneOf,
    UnsubmittedBioOwnedBy,
    InFlightOn,
    PluggedBy,
    /// <summary>A page's writeback is in a request queued to a userspace server (a FUSE WRITE) not answered.</summary>
    InRequestTo,
    ServedBy,
    HeldBy,

    // class dependencies (potential deadlocks); the edge names its witness task
    HeldThenWaitedBy,
    HeldThenWantedBy,
    AlreadyDependsOn,
    DeptContextHoldsThenWaits,
}
