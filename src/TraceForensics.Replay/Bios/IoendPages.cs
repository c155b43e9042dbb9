using TraceForensics.Replay.Evidence;
using TraceForensics.Replay.Pages;

namespace TraceForensics.Replay.Bios;

/// <summary>The pages of an ioend in the order they were added, each with the line that added it, held as runs of
/// consecutive pages of one inode added by one line (an iomap_add_to_ioend names a whole extent: one run), so that an
/// ioend of many pages costs a few records, not one per page. The first run is held in place: an ioend of one extent
/// makes no list.</summary>
public sealed class IoendPages : IEnumerable<PageKey>
{
    private readonly record struct Run(PageKey First, int Count, EvidenceLine Line);

    private Run _first;
    /// <summary>The runs after the first, once there are some.</summary>
    private List<Run>? _more;

    public int Count { get; private set; }

    public void Add(PageKey page, EvidenceLine line) => Add(page, 1, line);

    /// <summary>Adds <paramref name="count"/> consecutive pages from <paramref name="first"/>: the same as adding each in turn.</summary>
    public void Add(PageKey first, int count, EvidenceLine line)
    {
        if (count <= 0) return;
        bool any = Count > 0;
        Count += count;
        if (any)
        {
            var last = _more is { Count: > 0 } ? _more[^1] : _first;
            if (last.Line == line && last.First with { Index = last.First.Index + last.Count } == first)
            {
                if (_more is { Count: > 0 }) _more[^1] = last with { Count = last.Count + count };
                else _first = last with { Count = last.Count + count };
                return;
            }
            (_more ??= new(1)).Add(new Run(first, count, line));
        }
        else _first = new Run(first, count, line);
    }

    private IEnumerable<Run> Runs
    {
        get
        {
            if (Count == 0) yield break;
            yield return _first;
            if (_more is null) yield break;
            foreach (var r in _more) yield return r;
        }
    }

    /// <summary>The line that first added <paramref name="page"/>, or null when it is not in the ioend.</summary>
    public EvidenceLine? LineOf(PageKey page)
    {
        foreach (var r in Runs)
            if (r.First with { Index = page.Index } == page && page.Index >= r.First.Index && page.Index - r.First.Index < r.Count)
                return r.Line;
        return null;
    }

    internal IoendPages Clone() => new() { _first = _first, _more = _more is null ? null : new(_more), Count = Count };

    /// <summary>Calls <paramref name="each"/> with every run of consecutive pages (first page, count), in the order of
    /// <see cref="GetEnumerator"/>: for who treats a run at once (a completion ends the writeback of every page).</summary>
    public void ForEachRun<TState>(TState state, Action<TState, PageKey, int> each)
    {
        if (Count == 0) return;
        each(state, _first.First, _first.Count);
        if (_more is null) return;
        foreach (var r in _more) each(state, r.First, r.Count);
    }

    public IEnumerator<PageKey> GetEnumerator()
    {
        foreach (var r in Runs)
            for (int i = 0; i < r.Count; i++) yield return r.First with { Index = r.First.Index + i };
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
