using System.Buffers.Binary;

namespace TraceForensics.Cli.Watch;

/// <summary>The ring-buffer pages a watch holds: every page read lands here (from the CPUs' reader threads), waits to be
/// handed to the live replay (<see cref="TakeNew"/>, oldest first across the CPUs, so many bytes at a time) and is kept
/// while it may hold events of the last window (<see cref="Trim"/>), so that an incident writes the window as a trace
/// file (<see cref="Snapshot"/>). A page is placed in time by its header's timestamp (kernel/trace/ring_buffer.c
/// <c>struct buffer_data_page</c>: u64 time_stamp of the page's first event, then the commit word).
/// Memory is bounded twice: by the window (time), and by bytes whatever the event rate: the pages kept for the window
/// stay under <see cref="KeptCap"/> (past it the oldest go: the window is shorter, <see cref="Shortened"/>) and the
/// pages not yet replayed under <see cref="PendingCap"/> (past it the oldest go unreplayed, <see cref="Dropped"/>, and
/// the next page of their CPU is handed over marked as the kernel marks a page after an overrun, so that the replay sees
/// a lost-events gap and makes the state of the tasks it has not seen since unknown).</summary>
internal sealed class PageWindow(long keptCap = long.MaxValue, long pendingCap = long.MaxValue, int commitSize = 8)
{
    /// <summary>kernel/trace/ring_buffer.c: RB_MISSED_EVENTS, bit 31 of the commit word, "events were lost before this
    /// page" (RB_MISSED_STORED, bit 30, would say the count is stored after the data: it is not known here).</summary>
    private const uint MissedEvents = 1u << 31;

    private readonly object _lock = new();
    private readonly Dictionary<int, PageQueue> _kept = new();
    private readonly Dictionary<int, PageQueue> _new = new();
    /// <summary>The CPUs whose next page handed over follows pages dropped unreplayed.</summary>
    private readonly HashSet<int> _gapBefore = new();
    private long _bytes, _pendingBytes, _dropped, _shortened;

    public long KeptCap { get; } = keptCap;
    public long PendingCap { get; } = pendingCap;

    /// <summary>Bytes of pages kept for the window now.</summary>
    public long Bytes { get { lock (_lock) return _bytes; } }
    /// <summary>Bytes of pages not yet handed to the replay.</summary>
    public long PendingBytes { get { lock (_lock) return _pendingBytes; } }
    /// <summary>Pages dropped before the replay took them (it fell behind by more than <see cref="PendingCap"/>).</summary>
    public long Dropped { get { lock (_lock) return _dropped; } }
    /// <summary>Pages dropped from the window before their time (it held more than <see cref="KeptCap"/>).</summary>
    public long Shortened { get { lock (_lock) return _shortened; } }

    /// <summary>Whether pages of <paramref name="cpu"/> wait to be handed over: events of it not replayed yet.</summary>
    public bool HasPending(int cpu) { lock (_lock) return _new.TryGetValue(cpu, out var q) && q.Count > 0; }

    /// <summary>Takes a page of <paramref name="cpu"/> (called on its reader thread).</summary>
    public void Add(int cpu, byte[] page)
    {
        lock (_lock)
        {
            if (!_kept.TryGetValue(cpu, out var kept)) _kept[cpu] = kept = new();
            if (!_new.TryGetValue(cpu, out var fresh)) _new[cpu] = fresh = new();
            kept.Add(page);
            fresh.Add(page);
            _bytes += page.Length;
            _pendingBytes += page.Length;
            while (_pendingBytes > PendingCap && Oldest(_new) is { } behind)
            {
                _pendingBytes -= _new[behind].RemoveFirst().Length;
                _gapBefore.Add(behind);
                _dropped++;
            }
            while (_bytes > KeptCap && Oldest(_kept) is { } old)
            {
                _bytes -= _kept[old].RemoveFirst().Length;
                _shortened++;
            }
        }
    }

    /// <summary>The pages added since and not yet taken, oldest first across the CPUs (by their headers' times) until
    /// <paramref name="maxBytes"/>, per CPU in reading order: the rest waits for the next call.</summary>
    public List<(int Cpu, List<byte[]> Pages)> TakeNew(long maxBytes = long.MaxValue)
    {
        lock (_lock)
        {
            var taken = new SortedDictionary<int, List<byte[]>>();
            long bytes = 0;
            while (bytes < maxBytes && Oldest(_new) is { } cpu)
            {
                var page = _new[cpu].RemoveFirst();
                _pendingBytes -= page.Length;
                bytes += page.Length;
                if (_gapBefore.Remove(cpu)) page = MarkedMissed(page);
                if (!taken.TryGetValue(cpu, out var pages)) taken[cpu] = pages = [];
                pages.Add(page);
            }
            return taken.Select(p => (p.Key, p.Value)).ToList();
        }
    }

    /// <summary>Hands every page kept over again, and none other (for a replay started again from the window: what it
    /// had not taken yet is in the window or older than it).</summary>
    public void RequeueAll()
    {
        lock (_lock)
        {
            _new.Clear();
            _gapBefore.Clear();
            foreach (var (cpu, kept) in _kept) _new[cpu] = kept.Copy();
            _pendingBytes = _bytes;
        }
    }

    /// <summary>Drops the pages wholly before <paramref name="fromRaw"/> (the ring buffer's clock): a page goes when the
    /// page after it on its CPU starts before that time.</summary>
    public void Trim(ulong fromRaw)
    {
        lock (_lock)
        {
            foreach (var pages in _kept.Values)
                while (pages.Count > 1 && Start(pages[1]) < fromRaw) _bytes -= pages.RemoveFirst().Length;
        }
    }

    /// <summary>The pages held now, per CPU in reading order (the arrays are shared, never written again).</summary>
    public List<(int Cpu, List<byte[]> Pages)> Snapshot()
    {
        lock (_lock) return _kept.OrderBy(p => p.Key).Select(p => (p.Key, p.Value.ToList())).ToList();
    }

    /// <summary>The page's header timestamp, in the machine's byte order (the ring buffer's own).</summary>
    public static ulong Start(byte[] page) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt64LittleEndian(page) : BinaryPrimitives.ReadUInt64BigEndian(page);

    /// <summary>Whether the page says events were lost before it (RB_MISSED_EVENTS in its commit word: set by the kernel
    /// after an overrun, or here after pages dropped unreplayed).</summary>
    public static bool FollowsLostEvents(byte[] page, int commitSize) => (Commit(page, commitSize) & MissedEvents) != 0;

    /// <summary>The low 32 bits of the page's commit word (a word of <c>commitSize</c> bytes after the timestamp, in the
    /// machine's byte order), where RB_MISSED_EVENTS is.</summary>
    private static Span<byte> CommitLow(byte[] page, int commitSize) => page.AsSpan(8 + (BitConverter.IsLittleEndian ? 0 : commitSize - 4), 4);

    private static uint Commit(byte[] page, int commitSize) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(CommitLow(page, commitSize)) : BinaryPrimitives.ReadUInt32BigEndian(CommitLow(page, commitSize));

    /// <summary>The CPU whose first page in <paramref name="queues"/> starts first (the lowest CPU on a tie), or null
    /// when none holds a page.</summary>
    private static int? Oldest(Dictionary<int, PageQueue> queues)
    {
        int? oldest = null;
        ulong at = 0;
        foreach (var (cpu, q) in queues)
        {
            if (q.Count == 0) continue;
            ulong start = Start(q[0]);
            if (oldest is null || start < at || (start == at && cpu < oldest)) (oldest, at) = (cpu, start);
        }
        return oldest;
    }

    /// <summary>A copy of the page with RB_MISSED_EVENTS set in its commit word; the kept page is not written.</summary>
    private byte[] MarkedMissed(byte[] page)
    {
        var copy = (byte[])page.Clone();
        uint commit = Commit(copy, commitSize) | MissedEvents;
        if (BitConverter.IsLittleEndian) BinaryPrimitives.WriteUInt32LittleEndian(CommitLow(copy, commitSize), commit);
        else BinaryPrimitives.WriteUInt32BigEndian(CommitLow(copy, commitSize), commit);
        return copy;
    }

    /// <summary>A CPU's pages in reading order, taken from the front without moving the rest each time.</summary>
    private sealed class PageQueue
    {
        private List<byte[]> _items = [];
        private int _head;

        public int Count => _items.Count - _head;
        public byte[] this[int i] => _items[_head + i];
        public void Add(byte[] page) => _items.Add(page);

        public byte[] RemoveFirst()
        {
            var page = _items[_head];
            _items[_head++] = null!;
            if (_head >= 1024 && _head * 2 >= _items.Count)
            {
                _items.RemoveRange(0, _head);
                _head = 0;
            }
            return page;
        }

        public PageQueue Copy() => new() { _items = ToList() };
        public List<byte[]> ToList() => _items.GetRange(_head, Count);
    }
}
