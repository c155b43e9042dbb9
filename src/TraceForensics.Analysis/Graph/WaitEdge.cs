using TraceForensics.Replay.Evidence;

namespace TraceForensics.Analysis.Graph;

/// <summary>One edge of the wait-for graph: <see cref="From"/> cannot proceed until <see cref="To"/> does.
/// Observed edges come from events of the trace; inferred ones name the rule that derived them. Every edge
/// carries the trace lines behind it.</summary>
public sealed record WaitEdge(string From, string To, string Relation, bool Observed, string? Rule, IReadOnlyList<EvidenceLine> Lines);
