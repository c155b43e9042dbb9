using TraceForensics.Events.Model;
using TraceForensics.Events.Reading;

namespace TraceForensics.Tui;

/// <summary>The events the UI browses, all of them at any trace size: when every input can be opened again, only the
/// <see cref="EventIndex"/> is kept and blocks of events are decoded on demand (a few kept, most recently used first);
/// otherwise (stdin among the inputs) the first <c>maxEvents</c> events are kept in memory and the rest is marked
/// truncated. Memory stays flat in the trace's length either way. A compressed input is decompressed once into a
/// bounded <see cref="SpillFile"/> when the log is made, on the load's thread (then read at offsets as a plain file); a
/// trace.dat, or a compressed input too large to spill, is read again from its start. <see cref="Reading"/> says which.</summary>
public sealed class EventLog : IDisposable
{
    private const int CachedBlocks = 32;
    private readonly EventIndex? _index;
    private readonly List<TraceEvent>? _kept;
    private readonly IReadOnlyList<InputSummary> _inputs;
    private readonly EventTables? _tables;
    private readonly LinkedList<(int Block, TraceEvent[] Events)> _cache = new();
    /// <summary>How each input is read again, decided once (<see cref="InputReadings.Of"/>), and the spill files made.</summary>
    private readonly InputReading[] _how = [];
    private readonly SpillFile?[] _spills = [];
    private long _decoded;

    private EventLog(EventIndex? index, List<TraceEvent>? kept, IReadOnlyList<InputSummary> inputs, EventTables? tables, bool truncated,
                     CancellationToken cancel = default)
    {
        _index = index;
        _kept = kept;
        _inputs = inputs;
        _tables = tables;
        Truncated = truncated;
        if (index is null)
        {
            Reading = truncated ? $"in memory, first {Count:N0} events (input cannot be read again)" : "in memory";
            return;
        }
        _how = inputs.Select(InputReadings.Of).ToArray();
        _spills = new SpillFile?[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
        {
            if (_how[i] != InputReading.Spill) continue;
            // On the thread that builds the log (the load's), not the UI's: decompressing a large input takes a while.
            _spills[i] = SpillFile.Of(inputs[i].Path, SpillFile.MaxBytes, cancel);
            if (_spills[i] is null) _how[i] = InputReading.FromStartOverSpillBound;
        }
        Reading = string.Join(", ", _how.Select((how, i) => how.Words(_spills[i])).Where(w => w.Length > 0).Distinct());
    }

    /// <summary>How the log is read again, for the status line: "offsets" (plain files), "spill file in TMPDIR, N MB"
    /// (a compressed input decompressed into TMPDIR once, when the load ended), "re-read from the start" (trace.dat, or
    /// a compressed input over the spill bound), "in memory" (stdin, a pipe). Worked out once.</summary>
    public string Reading { get; }

    /// <summary>True when a reading can start at any block without reading the inputs from their starts (plain files,
    /// spill files, events in memory): walking back block by block is then linear.</summary>
    public bool AtOffsets => _index is null || _how.All(h => h is InputReading.NotAgain || h.AtOffsets());

    /// <summary>Events decoded from the inputs by the readings again so far, those skipped to reach a block included
    /// (for tests: a walk back over a trace.dat reads it once, not once per block).</summary>
    public long EventsDecoded => Interlocked.Read(ref _decoded);

    /// <summary>No events (a .NET dump's findings; the UI while loading).</summary>
    public static EventLog None { get; } = new(null, [], [], null, truncated: false);

    /// <summary>Decoded on demand from the inputs, located by <paramref name="index"/>.
    /// Compressed inputs are decompressed into their spill files here, on the caller's thread.</summary>
    public static EventLog Indexed(EventIndex index, IReadOnlyList<InputSummary> inputs, EventTables tables, CancellationToken cancel = default) =>
        new(index, null, inputs, tables, truncated: false, cancel);

    /// <summary>True when some input will be decompressed into a spill file by <see cref="Indexed"/>.</summary>
    public static bool WillSpill(IReadOnlyList<InputSummary> inputs) => inputs.Any(i => InputReadings.Of(i) == InputReading.Spill);

    /// <summary>The events kept in memory (inputs that cannot be read again).</summary>
    public static EventLog InMemory(List<TraceEvent> events, bool truncated, int lastHangReport) =>
        new(null, events, [], null, truncated) { _lastHang = lastHangReport };

    private int _lastHang = -1;

    /// <summary>True when every readable input can be opened again, so the log can be decoded on demand.</summary>
    public static bool CanIndex(IReadOnlyList<InputSummary> inputs) =>
        inputs.Any(InputReadings.CanReopen) && inputs.All(i => i.Rejection is not null || InputReadings.CanReopen(i));

    public int Count => _index?.Count ?? _kept!.Count;

    /// <summary>True when the trace had more events than kept (stdin); the findings still cover all of them.</summary>
    public bool Truncated { get; }

    /// <summary>How the log is held, for the status line and the README: "indexed" or "in memory".</summary>
    public string Mode => _index is null ? "in memory" : "indexed";

    /// <summary>The last hung-task report (-1: none).</summary>
    public int LastHangReport => _index?.LastHangReport ?? _lastHang;

    /// <summary>Blocks decoded from the inputs so far (for tests: the log is read on demand).</summary>
    public int BlocksDecoded { get; private set; }

    public TraceEvent this[int i]
    {
        get
        {
            if (_kept is not null) return _kept[i];
            if ((uint)i >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(i));
            return Block(i / EventIndex.BlockEvents)[i % EventIndex.BlockEvents];
        }
    }

    private TraceEvent[] Block(int block)
    {
        for (var node = _cache.First; node is not null; node = node.Next)
            if (node.Value.Block == block)
            {
                if (node != _cache.First) { _cache.Remove(node); _cache.AddFirst(node); }
                return node.Value.Events;
            }
        int count = Math.Min(EventIndex.BlockEvents, Count - block * EventIndex.BlockEvents);
        var events = new TraceEvent[count];
        using (var reading = Again(block))
        {
            int n = 0;
            while (reading is not null && n < count && reading.Read(out events[n])) n++;
            // The inputs changed since they were read (or ended early): what could not be read shows as gaps.
            for (; n < count; n++) events[n] = Unreadable(block * EventIndex.BlockEvents + n);
            Counted(reading);
        }
        BlocksDecoded++;
        _cache.AddFirst((block, events));
        if (_cache.Count > CachedBlocks) _cache.RemoveLast();
        return events;
    }

    /// <summary>The events [<paramref name="from"/>, <paramref name="to"/>) read in one go (a search, a filter), on any
    /// thread: a reading of its own from the block of <paramref name="from"/>, not the blocks kept for the view.</summary>
    public IEnumerable<(int Index, TraceEvent Event)> Stream(int from, int to, CancellationToken cancel = default)
    {
        from = Math.Max(0, from);
        to = Math.Min(to, Count);
        if (from >= to) yield break;
        if (_kept is not null)
        {
            for (int k = from; k < to; k++)
            {
                if ((k & 0x3FF) == 0) cancel.ThrowIfCancellationRequested();
                yield return (k, _kept[k]);
            }
            yield break;
        }
        int block = from / EventIndex.BlockEvents;
        cancel.ThrowIfCancellationRequested();
        using var reading = Again(block);
        try
        {
            for (int i = block * EventIndex.BlockEvents; i < to; i++)
            {
                if ((i & 0x3FF) == 0) cancel.ThrowIfCancellationRequested();
                if (reading is null || !reading.Read(out var e)) e = Unreadable(i);
                if (i >= from) yield return (i, e);
            }
        }
        finally { Counted(reading); }
    }

    private ReadingAgain? Again(int block) => ReadingAgain.At(_index!, block, _inputs, _how, _spills, _tables!);

    private void Counted(ReadingAgain? reading)
    {
        if (reading is not null) Interlocked.Add(ref _decoded, reading.Decoded);
    }

    public void Dispose()
    {
        foreach (var spill in _spills) spill?.Dispose();
    }

    private TraceEvent Unreadable(int i) => new()
    {
        TimestampNs = _index!.FirstNs(i / EventIndex.BlockEvents),
        Cpu = -1, Pid = -1, Tgid = -1, Comm = "", Name = "(input changed since it was read)", Kind = EventKind.TraceGap,
        Source = new SourceLocation(0, 0, 0),
    };

    /// <summary>The index of the first event at or after <paramref name="ns"/> (Count when none).</summary>
    public int IndexAt(long ns)
    {
        int lo = 0, hi = Count;
        if (_index is not null && _index.Blocks > 0)
        {
            // Within the blocks around the time: the merge is in time order.
            int block = _index.BlockBefore(ns);
            lo = block * EventIndex.BlockEvents;
            hi = block + 1 < _index.Blocks ? Math.Min(Count, (block + 1) * EventIndex.BlockEvents) : Count;
        }
        while (lo < hi)
        {
            int mid = lo + (hi - lo) / 2;
            if (this[mid].TimestampNs < ns) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /// <summary>The index of the event read at <paramref name="input"/>:<paramref name="line"/> at time
    /// <paramref name="ns"/> (-1: not found).</summary>
    public int Find(int input, long line, long ns)
    {
        for (int i = Math.Max(0, IndexAt(ns) - EventIndex.BlockEvents); i < Count; i++)
        {
            var e = this[i];
            if (e.Source.Input == input && e.Source.Line == line) return i;
            if (e.TimestampNs > ns) break;
        }
        return -1;
    }
}
