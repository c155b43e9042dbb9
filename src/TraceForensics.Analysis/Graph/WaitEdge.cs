using TraceForensics.Replay.Evidence;

namespace TraceForensics.Analysis.Graph;

/// <summary>One edge of the wait-for graph: <see cref="From"/> cannot proceed until <see cref="To"/> does. An edge
/// is observed (events of the trace show it) or inferred by a rule (<see cref="Rule"/>); either way it carries the
/// trace lines behind it. <see cref="Witness"/> is the task a class dependency was seen in.</summary>
public sealed record WaitEdge(WaitNode From, WaitNode To, Relation Relation, RuleUse? Rule, IReadOnlyList<EvidenceLine> Lines)
{
    public TaskNode? Witness { get; init; }

    public bool Observed => Rule is null;

    /// <summary><c>observed</c> or <c>inferred: RULE</c>, as every renderer marks an edge.</summary>
    public string Mark => Rule is null ? "observed" : $"inferred: {Rule}";
}
