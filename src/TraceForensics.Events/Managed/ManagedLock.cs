namespace TraceForensics.Events.Managed;

/// <summary>A lock object: address, type, the OS thread id of its owner (null when unknown), recursion, waiters.</summary>
public sealed record ManagedLock(ulong Address, string Type, uint? OwnerOsThreadId, int Recursion, int Waiters);
