using TraceForensics.Replay.Evidence;

namespace TraceForensics.Replay.Workqueues;

/// <summary>A work item a kworker is running: its workqueue (when the trace showed it queued), its function, and the
/// workqueue_execute_start that began it.</summary>
public sealed record WorkItemRun(ulong Work, string? Workqueue, string? Function, EvidenceLine Start);
