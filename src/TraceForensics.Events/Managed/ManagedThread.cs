namespace TraceForensics.Events.Managed;

/// <summary>A managed thread: ids, its stack (innermost first, method signatures), the locks it holds, and the lock
/// object it waits for in Monitor.Enter when it does.</summary>
public sealed record ManagedThread(int ManagedId, uint OsThreadId, IReadOnlyList<string> Stack, IReadOnlyList<ManagedLock> Holds,
                                   ManagedLock? WaitsFor, string? OtherWait);
