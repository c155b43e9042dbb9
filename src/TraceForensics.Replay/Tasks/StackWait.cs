namespace TraceForensics.Replay.Tasks;

/// <summary>What a blocked task's stack says it waits for: the kind, the frame that showed it (the rule's
/// witness), and where it is blocked in the syzkaller sense (the function its "INFO: task hung in" title would name,
/// <see cref="HungTaskTitleRule"/>), or, when syzkaller would title it "corrupted", why (and no function).</summary>
public readonly record struct StackWait(WaitKind Kind, string? Witness, string? BlockedIn, string? BlockedInCorrupted);
