namespace TraceForensics.Events.Model;

/// <summary>A work item as a workqueue tracepoint names it: its work struct pointer as the trace prints it (hashed by %p,
/// stable within a boot) and, for workqueue_queue_work, the workqueue it was queued on (<c>loop2</c>, <c>writeback</c>).</summary>
public sealed record WorkItemFacts(ulong Work, string? Workqueue);
