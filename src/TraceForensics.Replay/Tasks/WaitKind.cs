namespace TraceForensics.Replay.Tasks;

/// <summary>What a blocked task waits for (vocabulary section 3), from a wait event or read off its stack.</summary>
public enum WaitKind : byte
{
    None,
    PageLock,
    PageWriteback,
    FrozenFilesystem,
    Mutex,
    RwSemaphore,
    Semaphore,
    KernelLock,
    Completion,
    Journal,
    DirtyThrottle,
    BlockTags,
    Io,
    Unknown,
}
