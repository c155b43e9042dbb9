namespace TraceForensics.Ingest.Dotnet;

/// <summary>A .NET process as a dump (or a live attach) shows it: its managed threads and the Monitor locks they
/// hold or wait for.</summary>
public sealed record ManagedProcess(string Source, IReadOnlyList<ManagedThread> Threads, IReadOnlyList<string> Diagnostics);

/// <summary>A managed thread: ids, its stack (innermost first, method signatures), the locks it holds, and the lock
/// object it waits for in Monitor.Enter when it does.</summary>
public sealed record ManagedThread(int ManagedId, uint OsThreadId, IReadOnlyList<string> Stack, IReadOnlyList<ManagedLock> Holds,
                                   ManagedLock? WaitsFor, string? OtherWait);

/// <summary>A lock object: address, type, the OS thread id of its owner (null when unknown), recursion, waiters.</summary>
public sealed record ManagedLock(ulong Address, string Type, uint? OwnerOsThreadId, int Recursion, int Waiters);
