using TraceForensics.Analysis.Graph;

namespace TraceForensics.Analysis.Findings;

/// <summary>One finding: what kind, a one-line summary in the kernel's words, when (the cycle closed or the stall
/// began), the tasks, and the chain of wait-for edges with their evidence.</summary>
public sealed class Finding
{
    public required string Id { get; init; }
    public required FindingKind Kind { get; init; }
    public required string Summary { get; init; }
    public required long AtNs { get; init; }
    public required IReadOnlyList<FindingTask> Tasks { get; init; }
    public required IReadOnlyList<WaitEdge> Chain { get; init; }
    /// <summary>The node the chain ends at (the root blocker); for a deadlock, null.</summary>
    public string? Root { get; init; }
}
