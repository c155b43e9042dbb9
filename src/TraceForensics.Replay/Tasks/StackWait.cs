namespace TraceForensics.Replay.Tasks;

/// <summary>What a blocked task's stack says it waits for: the kind, the frame that showed it (the rule's
/// witness), and where it is blocked in the syzkaller sense (the first frame that is not scheduler, tracing,
/// lock or wait plumbing).</summary>
public readonly record struct StackWait(WaitKind Kind, string? Witness, string? BlockedIn);
