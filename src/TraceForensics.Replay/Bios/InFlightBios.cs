using System.Collections;
using TraceForensics.Replay.Evidence;

namespace TraceForensics.Replay.Bios;

/// <summary>A device's bios in flight, in the order they were queued, indexed so that the work of one event does not
/// grow with how many are in flight: by sector range (the bios a completion covers, the bio at a sector) and by the line
/// that queued them. Each bio has an order number for as long as it is in flight; a bio trimmed by a partial completion
/// keeps its number, so its place in the order.</summary>
public sealed class InFlightBios : IReadOnlyCollection<InFlightBio>
{
    private InOrder<InFlightBio> _inOrder = new();
    private SectorRanges<InFlightBio> _ranges = new();
    /// <summary>By queue line: the one bio in flight queued by it (nearly always one), and where several are, all in
    /// order; no list per bio, so 100k bios in flight are not 200k more objects for the collector.</summary>
    private Dictionary<EvidenceLine, long> _byQueuedOne = new();
    private Dictionary<EvidenceLine, List<long>> _byQueuedMany = new();
    private long _next;

    public int Count => _inOrder.Count;
    public IEnumerator<InFlightBio> GetEnumerator() => _inOrder.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Appends a bio; returns its order number.</summary>
    internal long Add(InFlightBio bio)
    {
        long order = _next++;
        _inOrder.Add(order, bio);
        _ranges.Add(order, bio.StartSector, bio.EndSector, bio);
        if (_byQueuedMany.Count > 0 && _byQueuedMany.TryGetValue(bio.Queued, out var many)) many.Add(order);
        else if (!_byQueuedOne.TryAdd(bio.Queued, order))
        {
            _byQueuedOne.Remove(bio.Queued, out long other);
            _byQueuedMany[bio.Queued] = [other, order];
        }
        return order;
    }

    /// <summary>Puts a changed copy of a bio in its place (same queue line).</summary>
    internal void Replace(long order, InFlightBio bio)
    {
        _inOrder[order] = bio;
        _ranges.Update(order, bio.StartSector, bio.EndSector, bio);
    }

    internal void Remove(long order)
    {
        if (!_inOrder.Remove(order, out var bio)) return;
        _ranges.Remove(order);
        if (_byQueuedOne.TryGetValue(bio.Queued, out long one))
        {
            if (one == order) _byQueuedOne.Remove(bio.Queued);
            return;
        }
        if (!_byQueuedMany.TryGetValue(bio.Queued, out var many)) return;
        many.Remove(order);
        if (many.Count == 1)
        {
            _byQueuedOne[bio.Queued] = many[0];
            _byQueuedMany.Remove(bio.Queued);
        }
    }

    internal bool TryGet(long order, out InFlightBio bio) => _inOrder.TryGetValue(order, out bio!);

    /// <summary>The bios overlapping sectors [start, end), last queued first.</summary>
    internal IEnumerable<(long Order, InFlightBio Bio)> Overlapping(ulong start, ulong end)
    {
        foreach (var (order, b) in _ranges.Overlapping(start, end))
            if (b.StartSector < end && b.EndSector > start) yield return (order, b);
    }

    /// <summary>The bio last queued of those covering a sector, if any.</summary>
    internal InFlightBio? LastCovering(ulong sector)
    {
        if (sector == ulong.MaxValue) return null; // no bio ends past the last sector
        foreach (var (_, b) in _ranges.Overlapping(sector, sector + 1))
            if (b.StartSector <= sector && sector < b.EndSector) return b;
        return null;
    }

    /// <summary>The first (<paramref name="last"/>: the last) bio in flight queued by a line, with its order number.</summary>
    internal (long Order, InFlightBio Bio)? QueuedAt(EvidenceLine line, bool last)
    {
        long order;
        if (_byQueuedOne.TryGetValue(line, out long one)) order = one;
        else if (_byQueuedMany.Count > 0 && _byQueuedMany.TryGetValue(line, out var many)) order = last ? many[^1] : many[0];
        else return null;
        return (order, _inOrder[order]);
    }

    /// <summary>A copy that shares nothing mutable (each bio copied; order numbers kept).</summary>
    internal InFlightBios Clone()
    {
        var c = new InFlightBios { _next = _next };
        foreach (var (order, b) in _inOrder.Pairs)
        {
            var copy = b with { };
            c._inOrder.Add(order, copy);
            c._ranges.Add(order, copy.StartSector, copy.EndSector, copy);
        }
        foreach (var (line, order) in _byQueuedOne) c._byQueuedOne[line] = order;
        foreach (var (line, orders) in _byQueuedMany) c._byQueuedMany[line] = new List<long>(orders);
        return c;
    }
}
