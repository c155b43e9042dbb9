using TraceForensics.Analysis.Graph;

namespace TraceForensics.Analysis.Findings;

/// <summary>Tells a chain as one sentence in the kernel's words: "postgres:47211 waits for writeback of page ...,
/// in bio 8:16 sector 163840 (not submitted), built by kworker/u8:9:47190, which waits for ...".</summary>
public static class ChainText
{
    public static string Narrate(IReadOnlyList<WaitEdge> chain)
    {
        if (chain.Count == 0) return "";
        var b = new System.Text.StringBuilder(chain[0].From.Label);
        int head = b.Length;
        foreach (var e in chain)
        {
            var to = e.To.Label;
            if (RelationWords.Of(e.Relation).Continuation is { } continuation)
                b.Append(string.Format(System.Globalization.CultureInfo.InvariantCulture, continuation, to));
            else if (e.From is TaskNode && b.Length > head)
                b.Append(", which waits for ").Append(to);
            else
                b.Append(" waits for ").Append(to);
        }
        return b.ToString();
    }

    /// <summary>The same cycle, starting with the edge out of <paramref name="node"/> (unchanged if it is not on it).</summary>
    public static List<WaitEdge> RotateTo(IReadOnlyList<WaitEdge> cycle, WaitNode node)
    {
        int at = -1;
        for (int i = 0; i < cycle.Count; i++) if (cycle[i].From.Equals(node)) { at = i; break; }
        return at < 0 ? cycle.ToList() : cycle.Skip(at).Concat(cycle.Take(at)).ToList();
    }
}
