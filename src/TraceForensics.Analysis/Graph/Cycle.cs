using System.Collections;

namespace TraceForensics.Analysis.Graph;

/// <summary>A closed chain of the wait-for graph, held once however many of its tasks ask for their chain: each gets a
/// view that starts at its own node (<see cref="From"/>), so a ring of n tasks costs n edges, not n squared.</summary>
public sealed class Cycle(WaitEdge[] edges)
{
    private string? _key;

    public IReadOnlyList<WaitEdge> Edges => edges;

    /// <summary><see cref="WaitForGraph.CycleKey"/> of this cycle, made once (it is the same from every node).</summary>
    public string Key => _key ??= WaitForGraph.CycleKey(edges);

    /// <summary>The cycle starting with edge <paramref name="at"/>.</summary>
    public IReadOnlyList<WaitEdge> From(int at) => new Rotation(this, at);

    /// <summary>The cycle a chain is a view of, or null when it is a list of its own.</summary>
    public static Cycle? Of(IReadOnlyList<WaitEdge> chain) => (chain as Rotation)?.Cycle;

    private sealed class Rotation(Cycle cycle, int at) : IReadOnlyList<WaitEdge>
    {
        public Cycle Cycle => cycle;
        public int Count => cycle.Edges.Count;
        public WaitEdge this[int index] => (uint)index < (uint)Count
            ? cycle.Edges[at + index < Count ? at + index : at + index - Count]
            : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<WaitEdge> GetEnumerator()
        {
            for (int i = 0; i < Count; i++) yield return this[i];
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
