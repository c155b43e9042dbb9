using TraceForensics.Analysis.Graph;

namespace TraceForensics.Analysis.Findings;

/// <summary>One finding: what kind, a one-line summary in the kernel's words, when (the cycle closed or the stall
/// began), the tasks, and the chain of wait-for edges with their evidence. Self-contained and immutable: every name in it
/// was resolved while analysing.</summary>
public sealed class Finding
{
    public required string Id { get; init; }
    public required FindingKind Kind { get; init; }
    public required string Summary { get; init; }
    public required long AtNs { get; init; }
    public required IReadOnlyList<FindingTask> Tasks { get; init; }
    public required IReadOnlyList<WaitEdge> Chain { get; init; }
    /// <summary>The node the chain ends at (the root blocker); for a deadlock, null.</summary>
    public WaitNode? Root { get; init; }

    /// <summary>True when the finding involves the task with this pid: one of its tasks, or a task on its chain.</summary>
    public bool Involves(int pid) =>
        Tasks.Any(t => t.Pid == pid) || Chain.Any(e => e.From is TaskNode { Pid: var a } && a == pid || e.To is TaskNode { Pid: var b } && b == pid);
}
