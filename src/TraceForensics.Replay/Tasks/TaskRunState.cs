namespace TraceForensics.Replay.Tasks;

/// <summary>A task's scheduling state as replayed from sched events. Unknown until the trace shows it.</summary>
public enum TaskRunState : byte
{
    Unknown,
    Running,
    Runnable,
    /// <summary>S: interruptible sleep.</summary>
    Sleeping,
    /// <summary>D: uninterruptible sleep.</summary>
    Blocked,
    Stopped,
    Dead,
}
