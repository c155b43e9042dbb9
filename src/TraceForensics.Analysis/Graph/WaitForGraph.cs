namespace TraceForensics.Analysis.Graph;

/// <summary>The wait-for graph at one time: typed nodes, edges with their relation and evidence.</summary>
public sealed class WaitForGraph
{
    private readonly Dictionary<WaitNode, List<WaitEdge>> _out = new();
    private readonly HashSet<(WaitNode, WaitNode, Relation, TaskNode?)> _seen = new();

    public void Add(WaitEdge edge)
    {
        if (!_seen.Add((edge.From, edge.To, edge.Relation, edge.Witness))) return;
        if (!_out.TryGetValue(edge.From, out var list)) _out[edge.From] = list = new List<WaitEdge>();
        list.Add(edge);
    }

    public IReadOnlyList<WaitEdge> Out(WaitNode node) => _out.TryGetValue(node, out var l) ? l : [];

    /// <summary>The nodes with edges out of them, in id order.</summary>
    public IEnumerable<WaitNode> Nodes => _out.Keys.OrderBy(NodeId.Format, StringComparer.Ordinal);

    /// <summary>One key per cycle whichever node it was entered from: its nodes' ids in ordinal order.</summary>
    public static string CycleKey(IEnumerable<WaitEdge> cycle) => string.Join(",", cycle.Select(e => NodeId.Format(e.From)).Order(StringComparer.Ordinal));

    /// <summary>The chain from <paramref name="start"/>, following the first edge out of each node, until a node
    /// with no way out (the root blocker) or a node already on the chain (a cycle; <paramref name="cycle"/> true).</summary>
    public List<WaitEdge> Chain(WaitNode start, out bool cycle)
    {
        var chain = new List<WaitEdge>();
        var onChain = new List<WaitNode> { start };
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
