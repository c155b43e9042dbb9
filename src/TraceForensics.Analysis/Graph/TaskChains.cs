using TraceForensics.Replay;
using TraceForensics.Replay.Tasks;

namespace TraceForensics.Analysis.Graph;

/// <summary>The chains of the wait-for graph at one time, each the one <see cref="WaitForGraph.Chain"/> reads, at a
/// cost that does not grow with the number of blocked tasks: a cycle is found once and every node on it (or leading
/// into it) gets a view of that one cycle; and, made with <see cref="At"/>, the graph is not built at all while a chain
/// runs through tasks (only a task's own wait adds the edge out of it) and ends where no task can add an edge (a wait
/// the stack names with no held-locks list in the input, an owner not found, a frozen filesystem). A chain that reaches
/// any other object (a page, a bio, a device, a lock a held-locks list may name) builds the whole graph, once.</summary>
public sealed class TaskChains
{
    private readonly ReplayState _s;
    private WaitForGraph? _graph;
    private List<TaskRecord>? _blocked;
    private readonly Dictionary<WaitNode, (Cycle Cycle, int At)> _onCycle = new();
    /// <summary>Every node on a chain already read that ends at a root (no cycle): the edges of that chain and where
    /// the node's own chain starts in them. A node's chain is the same wherever the walk came from (each node has one
    /// next edge), so the tasks of a line of N tasks each waiting for the next share one array of N edges instead of
    /// holding N chains of up to N edges.</summary>
    private readonly Dictionary<WaitNode, (WaitEdge[] Edges, int At)> _toRoot = new();

    private TaskChains(ReplayState s, WaitForGraph? graph) => (_s, _graph) = (s, graph);

    /// <summary>Chains of the state now, the graph built only if a chain needs it.</summary>
    public static TaskChains At(ReplayState s) => new(s, null);

    /// <summary>Chains of a graph already built from <paramref name="s"/> now.</summary>
    public static TaskChains Of(WaitForGraph graph, ReplayState s) => new(s, graph);

    /// <summary>As <see cref="WaitForGraph.Chain"/>: the chain from <paramref name="start"/> to its root blocker, or
    /// the cycle it runs into (<paramref name="cycle"/> true), starting at the first of its nodes the chain reaches. A
    /// chain to a root is an <see cref="ArraySegment{T}"/> running to the end of its array: chains sharing a tail share
    /// the array.</summary>
    public IReadOnlyList<WaitEdge> Chain(WaitNode start, out bool cycle)
    {
        var chain = new List<WaitEdge>();
        var onChain = new Dictionary<WaitNode, int> { [start] = 0 };
        cycle = false;
        var node = start;
        while (true)
        {
            if (_onCycle.TryGetValue(node, out var known))
            {
                cycle = true;
                return known.Cycle.From(known.At);
            }
            if (_toRoot.TryGetValue(node, out var tail))
                return chain.Count == 0 ? Tail(tail.Edges, tail.At) : ToRoot([.. chain, .. tail.Edges.AsSpan(tail.At)]);
            if (Next(node) is not { } edge) return ToRoot([.. chain]);
            chain.Add(edge);
            if (onChain.TryGetValue(edge.To, out int at))
            {
                cycle = true;
                var found = new Cycle([.. chain.Skip(at)]);
                for (int i = 0; i < found.Edges.Count; i++) _onCycle.TryAdd(found.Edges[i].From, (found, i));
                return found.From(0);
            }
            onChain.Add(edge.To, onChain.Count);
            node = edge.To;
        }
    }

    private IReadOnlyList<WaitEdge> ToRoot(WaitEdge[] edges)
    {
        for (int i = 0; i < edges.Length; i++) _toRoot.TryAdd(edges[i].From, (edges, i));
        return Tail(edges, 0);
    }

    private static ArraySegment<WaitEdge> Tail(WaitEdge[] edges, int at) => new(edges, at, edges.Length - at);

    /// <summary>The first edge out of <paramref name="node"/> in the graph of the state now.</summary>
    private WaitEdge? Next(WaitNode node)
    {
        if (_graph is null)
        {
            switch (node)
            {
                case TaskNode task:
                    // Only a blocked task's own wait adds an edge out of it, and only its current life's node is that task's.
                    return _s.Tasks.Get(task.Pid) is { IsBlocked: true } t && WaitForGraphBuilder.Task(t).Equals(task)
                        ? WaitForGraphBuilder.EdgeOut(_s, t, Blocked)
                        : null;
                case OwnerNotFoundNode or FrozenFsNode:
                    return null; // no wait adds an edge out of these
                case KernelLockNode when !_s.Tasks.AnyHeldLocks:
                    return null; // only a held-locks list names who holds a lock
            }
            _graph = WaitForGraphBuilder.Build(_s);
        }
        return _graph.Out(node) is [var first, ..] ? first : null;
    }

    private List<TaskRecord> Blocked() => _blocked ??= _s.Tasks.Blocked.OrderBy(t => t.Pid).ToList();
}
