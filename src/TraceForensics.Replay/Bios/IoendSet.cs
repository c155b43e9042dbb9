using TraceForensics.Events.Model;

namespace TraceForensics.Replay.Bios;

/// <summary>Ioends in the order they were added, indexed so that the work of one event does not grow with how many
/// there are: by builder (all of a task's, its bios with no sector yet, the one ending at a sector) and by device
/// sector range. An ioend's device, sectors and <see cref="IoendRecord.SectorKnown"/> change only through
/// <see cref="Grow"/> or while it is out of the set.</summary>
internal sealed class IoendSet(bool byBuilder)
{
    /// <summary>Whether the builder indexes are kept (ioends being built are looked up by builder; submitted ones only by sector).</summary>
    private readonly bool _byBuilderKept = byBuilder;
    private InOrder<IoendRecord> _inOrder = new();
    private Dictionary<IoendRecord, long> _order = new(ReferenceEqualityComparer.Instance);
    private Dictionary<int, SortedSet<long>> _byBuilder = new();
    private Dictionary<int, SortedSet<long>> _pendingByBuilder = new();
    /// <summary>By (builder, device, end sector): the one ioend there (nearly always one), and where several are, all.
    /// Moved on every page an ioend grows by, so the common case allocates nothing.</summary>
    private Dictionary<(int Builder, DeviceNumber Dev, ulong End), (long Order, IoendRecord Io)> _endingAtOne = new();
    private Dictionary<(int Builder, DeviceNumber Dev, ulong End), SortedSet<long>> _endingAtMany = new();
    private Dictionary<DeviceNumber, SectorRanges<IoendRecord>> _ranges = new();
    private long _next;

    public int Count => _inOrder.Count;
    /// <summary>In the order they were added.</summary>
    public IReadOnlyCollection<IoendRecord> InOrder => _inOrder;

    public void Add(IoendRecord io) => Insert(_next++, io);

    private void Insert(long order, IoendRecord io)
    {
        _inOrder.Add(order, io);
        _order.Add(io, order);
        Index(order, io);
    }

    private void Index(long order, IoendRecord io)
    {
        if (_byBuilderKept) IndexBuilder(order, io, add: true);
        if (!_ranges.TryGetValue(io.Dev, out var ranges)) _ranges[io.Dev] = ranges = new();
        ranges.Add(order, io.StartSector, io.EndSector, io);
    }

    private void IndexBuilder(long order, IoendRecord io, bool add)
    {
        if (!add)
        {
            RemoveFrom(_byBuilder, io.BuilderPid, order);
            if (!io.SectorKnown) RemoveFrom(_pendingByBuilder, io.BuilderPid, order);
            RemoveEnding((io.BuilderPid, io.Dev, io.EndSector), order);
            return;
        }
        AddTo(_byBuilder, io.BuilderPid, order);
        if (!io.SectorKnown) AddTo(_pendingByBuilder, io.BuilderPid, order);
        AddEnding((io.BuilderPid, io.Dev, io.EndSector), order, io);
    }

    private void AddEnding((int, DeviceNumber, ulong) key, long order, IoendRecord io)
    {
        if (_endingAtMany.Count > 0 && _endingAtMany.TryGetValue(key, out var many)) many.Add(order);
        else if (!_endingAtOne.TryAdd(key, (order, io)))
        {
            _endingAtOne.Remove(key, out var other);
            _endingAtMany[key] = new SortedSet<long> { other.Order, order };
        }
    }

    private void RemoveEnding((int, DeviceNumber, ulong) key, long order)
    {
        if (_endingAtOne.Remove(key, out var one))
        {
            if (one.Order != order) _endingAtOne[key] = one; // another ioend's: put back
            return;
        }
        if (_endingAtMany.Count == 0 || !_endingAtMany.TryGetValue(key, out var many) || !many.Remove(order)) return;
        if (many.Count == 1)
        {
            _endingAtMany.Remove(key);
            _endingAtOne[key] = (many.Min, _inOrder[many.Min]);
        }
    }

    private void Unindex(long order, IoendRecord io)
    {
        if (_byBuilderKept) IndexBuilder(order, io, add: false);
        var ranges = _ranges[io.Dev];
        ranges.Remove(order);
        if (ranges.Count == 0) _ranges.Remove(io.Dev);
    }

    public void Remove(IoendRecord io)
    {
        if (!_order.Remove(io, out long order)) return;
        _inOrder.Remove(order);
        Unindex(order, io);
    }

    /// <summary>Moves an ioend's end sector (a page added to it), keeping the indexes right.</summary>
    public void Grow(IoendRecord io, ulong endSector)
    {
        if (io.EndSector == endSector) return;
        long order = _order[io];
        if (_byBuilderKept) RemoveEnding((io.BuilderPid, io.Dev, io.EndSector), order);
        io.EndSector = endSector;
        if (_byBuilderKept) AddEnding((io.BuilderPid, io.Dev, io.EndSector), order, io);
        _ranges[io.Dev].Update(order, io.StartSector, io.EndSector, io);
    }

    /// <summary>The first added of a task's ioends (the builder lookups need a set made with <c>byBuilder</c>).</summary>
    public IoendRecord? FirstBuiltBy(int builder) => _byBuilder.TryGetValue(builder, out var orders) ? _inOrder[orders.Min] : null;

    /// <summary>The last added of a task's ioends on a device that end at a sector.</summary>
    public IoendRecord? LastBuiltByEndingAt(int builder, DeviceNumber dev, ulong endSector) =>
        _endingAtOne.TryGetValue((builder, dev, endSector), out var one) ? one.Io
        : _endingAtMany.Count > 0 && _endingAtMany.TryGetValue((builder, dev, endSector), out var many) ? _inOrder[many.Max] : null;

    /// <summary>How many ioends a task is building.</summary>
    public int CountBuiltBy(int builder) => _byBuilder.TryGetValue(builder, out var orders) ? orders.Count : 0;

    /// <summary>The last added of a task's ioends with no sector known yet on a device, or null.</summary>
    public IoendRecord? LastPendingBuiltBy(int builder, DeviceNumber dev)
    {
        if (!_pendingByBuilder.TryGetValue(builder, out var orders)) return null;
        if (orders.Count == 1) return _inOrder[orders.Min] is { } only && only.Dev == dev ? only : null;
        foreach (long order in orders.Reverse())
            if (_inOrder[order] is { } io && io.Dev == dev) return io;
        return null;
    }

    /// <summary>A task's ioends with no sector known yet, last added first.</summary>
    public IEnumerable<(long Order, IoendRecord Io)> PendingBuiltBy(int builder)
    {
        if (!_pendingByBuilder.TryGetValue(builder, out var orders)) yield break;
        foreach (long order in orders.Reverse().ToList()) yield return (order, _inOrder[order]);
    }

    /// <summary>The ioends on a device that may overlap sectors [start, end), last added first (a superset: test
    /// <see cref="IoendRecord.Overlaps"/>).</summary>
    public List<(long Order, IoendRecord Io)> Overlapping(DeviceNumber dev, ulong start, ulong end) =>
        _ranges.TryGetValue(dev, out var ranges) ? ranges.Overlapping(start, end) : [];

    /// <summary>A copy holding the copies <paramref name="copy"/> gives, in the same order.</summary>
    public IoendSet Clone(Func<IoendRecord, IoendRecord> copy)
    {
        var c = new IoendSet(_byBuilderKept) { _next = _next };
        foreach (var (order, io) in _inOrder.Pairs) c.Insert(order, copy(io));
        return c;
    }

    private static void AddTo<TKey>(Dictionary<TKey, SortedSet<long>> index, TKey key, long order) where TKey : notnull
    {
        if (!index.TryGetValue(key, out var orders)) index[key] = orders = new();
        orders.Add(order);
    }

    private static void RemoveFrom<TKey>(Dictionary<TKey, SortedSet<long>> index, TKey key, long order) where TKey : notnull
    {
        if (!index.TryGetValue(key, out var orders)) return;
        orders.Remove(order);
        if (orders.Count == 0) index.Remove(key);
    }
}
