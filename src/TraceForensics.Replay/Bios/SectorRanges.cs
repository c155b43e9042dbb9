namespace TraceForensics.Replay.Bios;

/// <summary>Sector ranges [start, end) of one device, each under a unique order number, found by overlap in
/// O(log n + k) instead of a scan of every range: ranges sorted by first sector, and the longest range seen bounds how
/// far before a query a range that reaches into it may start. Callers test their exact predicate on what it returns
/// (a superset: every range that overlaps, plus possibly empty or wrapped ones nearby).</summary>
internal sealed class SectorRanges<T>
{
    private readonly SortedSet<(ulong Start, long Order)> _byStart = new();
    private readonly Dictionary<long, (ulong Start, ulong End, T Item)> _byOrder = new();
    /// <summary>The longest range ever held (never lowered on removal: a bound, not a measure).</summary>
    private ulong _longest;
    /// <summary>A range ending before it starts (sector arithmetic that wrapped): queries then look at every range.</summary>
    private bool _wrapped;

    public int Count => _byOrder.Count;

    public void Add(long order, ulong start, ulong end, T item)
    {
        _byOrder.Add(order, (start, end, item));
        _byStart.Add((start, order));
        Widen(start, end);
    }

    /// <summary>Gives a range new sectors or a new item (a bio trimmed by a partial completion, an ioend grown).</summary>
    public void Update(long order, ulong start, ulong end, T item)
    {
        var old = _byOrder[order];
        if (old.Start != start)
        {
            _byStart.Remove((old.Start, order));
            _byStart.Add((start, order));
        }
        _byOrder[order] = (start, end, item);
        Widen(start, end);
    }

    public bool Remove(long order)
    {
        if (!_byOrder.Remove(order, out var old)) return false;
        _byStart.Remove((old.Start, order));
        return true;
    }

    public bool TryGet(long order, out T item)
    {
        if (_byOrder.TryGetValue(order, out var r)) { item = r.Item; return true; }
        item = default!;
        return false;
    }

    private void Widen(ulong start, ulong end)
    {
        if (end < start) _wrapped = true;
        else if (end - start > _longest) _longest = end - start;
    }

    /// <summary>The ranges that may overlap [start, end), in descending order number (newest first).</summary>
    public List<(long Order, T Item)> Overlapping(ulong start, ulong end)
    {
        var found = new List<(long Order, T Item)>();
        if (_byOrder.Count == 0) return found;
        IEnumerable<(ulong Start, long Order)> candidates;
        if (_wrapped) candidates = _byStart;
        else
        {
            // A range overlapping [start, end) starts before end and less than its length before start.
            if (end == 0) return found;
            ulong from = start > _longest ? start - _longest : 0;
            ulong to = end - 1;
            if (from > to) return found;
            candidates = _byStart.GetViewBetween((from, long.MinValue), (to, long.MaxValue));
        }
        foreach (var (_, order) in candidates) found.Add((order, _byOrder[order].Item));
        found.Sort((a, b) => b.Order.CompareTo(a.Order));
        return found;
    }
}
