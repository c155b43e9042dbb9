using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;

namespace TraceForensics.Analysis.Detectors;

/// <summary>A blocked task's chain taken at one moment (threshold crossed, hang report, end of trace).</summary>
public sealed record ChainCandidate(TaskNode Node, FindingTask Task, IReadOnlyList<WaitEdge> Chain, bool Cycle, long AtNs)
{
    /// <summary>What the trace showed, when the chain was taken, of the request server it ends in (RequestServers.ServerState).</summary>
    public string? RootState { get; init; }

    /// <summary>Where the chain ends: the root blocker, or the task itself when nothing is known of its wait.</summary>
    public WaitNode Root => Chain.Count == 0 ? Node : Chain[^1].To;
}
