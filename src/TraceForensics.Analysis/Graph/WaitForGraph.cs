namespace TraceForensics.Analysis.Graph;

/// <summary>The wait-for graph at one time. Node ids follow the findings contract: <c>task:PID</c>,
/// <c>pagelock:DEV:INO:INDEX</c>, <c>writeback:DEV:INO:INDEX</c>, <c>bio:DEV:SECTOR</c>, <c>device:DEV</c>,
/// <c>lock:ADDR-or-NAME</c>, <c>freeze:DEV</c>.</summary>
public sealed class WaitForGraph
{
    private readonly Dictionary<string, List<WaitEdge>> _out = new(StringComparer.Ordinal);
    private readonly HashSet<(string, string, string)> _seen = new();

    public void Add(WaitEdge edge)
    {
        if (!_seen.Add((edge.From, edge.To, edge.Relation))) return;
        if (!_out.TryGetValue(edge.From, out var list)) _out[edge.From] = list = new List<WaitEdge>();
        list.Add(edge);
    }

    public IReadOnlyList<WaitEdge> Out(string node) => _out.TryGetValue(node, out var l) ? l : [];

    public IEnumerable<string> Nodes => _out.Keys.OrderBy(k => k, StringComparer.Ordinal);

    /// <summary>One key per cycle whichever node it was entered from: its nodes in ordinal order.</summary>
    public static string CycleKey(IEnumerable<WaitEdge> cycle) => string.Join(",", cycle.Select(e => e.From).Order(StringComparer.Ordinal));

    /// <summary>The chain from <paramref name="start"/>, following the first edge out of each node, until a node
    /// with no way out (the root blocker) or a node already on the chain (a cycle; <paramref name="cycle"/> true).</summary>
    public List<WaitEdge> Chain(string start, out bool cycle)
    {
        var chain = new List<WaitEdge>();
        var onChain = new List<string> { start };
        cycle = false;
        var node = start;
        while (Out(node) is { Count: > 0 } edges)
        {
            var edge = edges[0];
            chain.Add(edge);
            int at = onChain.IndexOf(edge.To);
            if (at >= 0)
            {
                cycle = true;
                chain.RemoveRange(0, at); // keep only the cycle itself
                return chain;
            }
            onChain.Add(edge.To);
            node = edge.To;
        }
        return chain;
    }
}
