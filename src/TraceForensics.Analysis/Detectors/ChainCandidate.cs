using TraceForensics.Analysis.Graph;
using TraceForensics.Analysis.Findings;

namespace TraceForensics.Analysis.Detectors;

/// <summary>A blocked task's chain taken at one moment (threshold crossed, hang report, end of trace).</summary>
public sealed record ChainCandidate(FindingTask Task, IReadOnlyList<WaitEdge> Chain, bool Cycle, long AtNs)
{
    public string Root => Chain.Count == 0 ? NodeIds.Task(Task.Pid) : Chain[^1].To;
}
