using TraceForensics.Replay.Evidence;
using TraceForensics.Replay.Pages;

namespace TraceForensics.Replay.Tasks;

/// <summary>What a task announced it waits on (a wait event of its own: folio_wait_writeback, a page-lock probe, lock
/// contention): the kind, the object (a page, a lock address) and the event that said so. Announced waits are observed;
/// what only a stack shows is read by <see cref="StackReader"/> instead.</summary>
public sealed record WaitTarget(WaitKind Kind, PageKey? Page, ulong? LockAddress, EvidenceLine Line);
