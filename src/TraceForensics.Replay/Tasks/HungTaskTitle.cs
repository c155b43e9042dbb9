namespace TraceForensics.Replay.Tasks;

/// <summary>What <see cref="HungTaskTitleRule"/> reads from a stack: the title function, or (null and) why syzkaller
/// would title the report "corrupted".</summary>
public readonly record struct HungTaskTitle(string? Function, string? Corrupted);
