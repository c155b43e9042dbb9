using TraceForensics.Analysis.Graph;
using TraceForensics.Replay;

namespace TraceForensics.Analysis.Findings;

/// <summary>Tells a chain as one sentence in the kernel's words: "postgres:47211 waits for writeback of page ...,
/// in bio 8:16 sector 163840 (not submitted), built by kworker/u8:9:47190, which waits for ...".</summary>
public static class ChainText
{
    public static string Narrate(IReadOnlyList<WaitEdge> chain, ReplayState s)
    {
        if (chain.Count == 0) return "";
        var b = new System.Text.StringBuilder(NodeText.Describe(chain[0].From, s));
        int head = b.Length;
        foreach (var e in chain)
        {
            var to = NodeText.Describe(e.To, s);
            b.Append(e.Relation switch
            {
                "in-bio" => $", in {to}",
                "unsubmitted-bio-owned-by" => $" (not submitted), built by {to}",
                "in-flight-on" => $" (submitted, not completed) on {to}",
                "served-by" => $", served by {to}",
                "plugged-by" => $" (held in the plug of {to})",
                "held-by" => $", held by {to}",
                _ when e.From.StartsWith("task:", StringComparison.Ordinal) && b.Length > head
                    => $", which waits for {to}",
                _ => $" waits for {to}",
            });
        }
        return b.ToString();
    }

    /// <summary>The same cycle, starting with the edge out of <paramref name="node"/> (unchanged if it is not on it).</summary>
    public static List<WaitEdge> RotateTo(IReadOnlyList<WaitEdge> cycle, string node)
    {
        int at = -1;
        for (int i = 0; i < cycle.Count; i++) if (cycle[i].From == node) { at = i; break; }
        return at < 0 ? cycle.ToList() : cycle.Skip(at).Concat(cycle.Take(at)).ToList();
    }

    /// <summary>Short verb of a relation, for drawing one edge per line.</summary>
    public static string Verb(string relation) => relation switch
    {
        "in-bio" => "is in",
        "unsubmitted-bio-owned-by" => "(not submitted) was built by",
        "in-flight-on" => "(submitted, not completed) is in flight on",
        "served-by" => "is served by",
        "plugged-by" => "is held in the plug of",
        "held-by" => "is held by",
        Detectors.LockdepReportDetector.RelationExisting => "already depends on (lockdep's chain)",
        Detectors.LockdepReportDetector.RelationDeptContext => "is held by a context (DEPT) that waits for",
        _ when relation.StartsWith(Detectors.LockdepReportDetector.RelationWantedBy, StringComparison.Ordinal)
            => $"is held by {relation[Detectors.LockdepReportDetector.RelationWantedBy.Length..]} while it tries to acquire",
        _ when relation.StartsWith(Detectors.InversionDetector.RelationPrefix, StringComparison.Ordinal)
            => $"was held by {relation[Detectors.InversionDetector.RelationPrefix.Length..]} while it waited for",
        _ => "waits for",
    };
}
