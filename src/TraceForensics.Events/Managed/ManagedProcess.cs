namespace TraceForensics.Events.Managed;

/// <summary>A .NET process as a dump (or a live attach) shows it: its managed threads and the Monitor locks they
/// hold or wait for.</summary>
public sealed record ManagedProcess(string Source, IReadOnlyList<ManagedThread> Threads, IReadOnlyList<string> Diagnostics);
