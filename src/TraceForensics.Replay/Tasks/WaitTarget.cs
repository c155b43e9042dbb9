using TraceForensics.Replay.Evidence;
using TraceForensics.Replay.Pages;

namespace TraceForensics.Replay.Tasks;

/// <summary>What a blocked task waits on: the kind, the object when known (a page, a lock address), the evidence,
/// and whether it was observed (a wait event of the task) or inferred (from its stack, by <see cref="Rule"/>).</summary>
public sealed record WaitTarget(WaitKind Kind, PageKey? Page, ulong? LockAddress, EvidenceLine Line, bool Observed, string? Rule);
