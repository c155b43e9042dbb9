using TraceForensics.Events.Model;

namespace TraceForensics.Events.Reading;

/// <summary>A bounded window that puts slightly out-of-order events (trace_pipe merges per-cpu buffers) back in
/// time order: events are kept sorted (stable for equal times) in a ring, and the oldest is released once it is
/// more than <see cref="WindowNs"/> older than the newest or the ring is full. Events also wait here long enough
/// for a stack block that follows them to be attached: the event added last is never released while the input
/// goes on, even when it is far older than the newest (time went back), because its stack may come next.
/// The ring holds small entries (time, line, where the event is), not the large events: an event decoded in a run of
/// lines (<see cref="DecodedLines"/>) waits where it was decoded, and the run is given back (<see cref="Recycle"/>) once
/// its last event left; the others (read one line after the other, gaps) are copied into a store of the buffer's own.
/// So an event of a run is copied once, when it leaves, not also when it comes and as the ring shifts (issue 15).</summary>
internal sealed class ReorderBuffer(int capacity = 8192, long windowNs = 100_000_000)
{
    /// <summary>One event held: its time and line (read by the ordering and the searches without going to the event) and
    /// where it is: record <see cref="Index"/> of <see cref="Run"/>, or slot <see cref="Index"/> of the store when
    /// <see cref="Run"/> is null.</summary>
    private struct Entry
    {
        public long TimestampNs;
        public long Line;
        public DecodedLines? Run;
        public int Index;
    }

    /// <summary>Runs let go of (<see cref="Retire"/>) whose events still wait here, at most: past it, the oldest one's
    /// events are copied into the store and the run given back, so a few stragglers never hold many runs (memory).</summary>
    private const int MaxPinned = 32;

    // The ring starts small and doubles up to the capacity: an input that waits in a merge of many holds little. Its
    // length is a power of two, so a position wraps with a mask, not a division (several per event).
    private Entry[] _ring = new Entry[System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Min(capacity, 4))];
    private int _head;
    private long _newest = long.MinValue;
    private long _lastAddedLine = -1;
    // The store: slots below _storeUsed that are not in _freeSlots hold an event of the ring.
    private TraceEvent[] _store = new TraceEvent[4];
    private int[] _freeSlots = new int[4];
    private int _freeCount;
    private int _storeUsed;
    private readonly List<DecodedLines> _pinned = new();

    public int Count { get; private set; }
    public long WindowNs { get; } = windowNs;

    /// <summary>Where a run goes once none of its events waits here any more (back to its pipeline).</summary>
    public Action<DecodedLines>? Recycle { get; set; }

    private ref Entry Slot(int logical) => ref _ring[(_head + logical) & (_ring.Length - 1)];

    private ref TraceEvent EventOf(ref Entry s)
    {
        if (s.Run is { } run) return ref run.Records[s.Index].Event;
        return ref _store[s.Index];
    }

    /// <summary>The event at a position from the oldest (0) to the newest (Count-1).</summary>
    public ref TraceEvent At(int logical) => ref EventOf(ref Slot(logical));

    /// <summary>The line of the oldest event (there is one).</summary>
    public long OldestLine => Slot(0).Line;

    /// <summary>Adds a copy of <paramref name="e"/>.</summary>
    public void Add(in TraceEvent e)
    {
        int slot = TakeSlot();
        _store[slot] = e;
        Insert(new Entry { TimestampNs = e.TimestampNs, Line = e.Source.Line, Index = slot });
    }

    /// <summary>Adds the event of record <paramref name="index"/> of <paramref name="run"/>, where it is: the run stays
    /// until its last event left, after it is let go of (<see cref="Retire"/>).</summary>
    public void Add(DecodedLines run, int index)
    {
        ref var e = ref run.Records[index].Event;
        run.Held++;
        Insert(new Entry { TimestampNs = e.TimestampNs, Line = e.Source.Line, Run = run, Index = index });
    }

    private void Insert(in Entry entry)
    {
        if (Count == _ring.Length) Grow();
        long ts = entry.TimestampNs;
        if (Count > 0 && ts < Slot(0).TimestampNs)
        {
            // Older than everything held (per-cpu sections one after another): goes first, no shifting.
            _head = (_head - 1) & (_ring.Length - 1);
            Slot(0) = entry;
        }
        else
        {
            // Usually in order: append. Otherwise after the last event not later than it (stable for equal times).
            int pos = Count;
            if (pos > 0 && Slot(pos - 1).TimestampNs > ts)
            {
                int lo = 0, hi = Count - 1;
                while (lo < hi)
                {
                    int mid = (lo + hi) / 2;
                    if (Slot(mid).TimestampNs > ts) hi = mid; else lo = mid + 1;
                }
                pos = lo;
            }
            if (pos < Count / 2)
            {
                // Nearer the front: move the earlier events down one place (stragglers land here).
                _head = (_head - 1) & (_ring.Length - 1);
                for (int i = 0; i < pos; i++) Slot(i) = Slot(i + 1);
            }
            else
            {
                for (int i = Count; i > pos; i--) Slot(i) = Slot(i - 1);
            }
            Slot(pos) = entry;
        }
        Count++;
        if (ts > _newest) _newest = ts;
        _lastAddedLine = entry.Line;
    }

    /// <summary>True when no event can be added before one is taken.</summary>
    public bool Full => Count >= capacity;

    private void Grow()
    {
        var ring = new Entry[2 * _ring.Length];
        for (int i = 0; i < Count; i++) ring[i] = Slot(i);
        _ring = ring;
        _head = 0;
    }

    /// <summary>A free slot of the store (it holds at most the ring's events).</summary>
    private int TakeSlot()
    {
        if (_freeCount > 0) return _freeSlots[--_freeCount];
        if (_storeUsed == _store.Length)
        {
            Array.Resize(ref _store, 2 * _store.Length);
            Array.Resize(ref _freeSlots, _store.Length);
        }
        return _storeUsed++;
    }

    /// <summary>True when the oldest event is ready to leave (or must, to make room).</summary>
    public bool Ready => Count > 0 && (Count >= capacity - 1
                                       || _newest - Slot(0).TimestampNs > WindowNs && Slot(0).Line != _lastAddedLine);

    /// <summary>Moves the oldest event out into <paramref name="e"/> (the caller's slot: one copy of the large event,
    /// not two through a return value). A store slot is not cleared: it is written again before it is read, and what it
    /// still references (interned strings, a rare payload object) is bounded by the store's length.</summary>
    public void TakeOldest(out TraceEvent e)
    {
        ref var s = ref Slot(0);
        if (s.Run is { } run)
        {
            e = run.Records[s.Index].Event;
            s.Run = null;
            if (--run.Held == 0 && run.Pinned) Unpin(run);
        }
        else
        {
            e = _store[s.Index];
            _freeSlots[_freeCount++] = s.Index;
        }
        _head = (_head + 1) & (_ring.Length - 1);
        Count--;
    }

    /// <summary>The reader is done with <paramref name="run"/> (all its records taken in): it goes back now when none of its
    /// events waits here, else when the last one leaves (or its events are copied out, past <see cref="MaxPinned"/> runs).</summary>
    public void Retire(DecodedLines run)
    {
        if (run.Held == 0)
        {
            Recycle?.Invoke(run);
            return;
        }
        run.Pinned = true;
        _pinned.Add(run);
        if (_pinned.Count > MaxPinned) Evacuate(_pinned[0]);
    }

    /// <summary>Copies the events of <paramref name="run"/> still held into the store and gives the run back.</summary>
    private void Evacuate(DecodedLines run)
    {
        // The first run let go of is among the oldest: its events are near the front, and the search stops at the last.
        for (int i = 0, left = run.Held; i < Count && left > 0; i++)
        {
            ref var s = ref Slot(i);
            if (s.Run != run) continue;
            left--;
            int slot = TakeSlot();
            _store[slot] = run.Records[s.Index].Event;
            s.Run = null;
            s.Index = slot;
        }
        run.Held = 0;
        Unpin(run);
    }

    private void Unpin(DecodedLines run)
    {
        run.Pinned = false;
        _pinned.Remove(run);
        Recycle?.Invoke(run);
    }

    /// <summary>Position of the newest event of this cpu and task (either may be -1: any) among the last
    /// <paramref name="depth"/>, or -1.</summary>
    public int FindNewest(int cpu, int pid, EventKind kind = EventKind.Unknown, int depth = 256)
    {
        for (int i = Count - 1; i >= 0 && i >= Count - depth; i--)
        {
            ref var e = ref At(i);
            if ((cpu < 0 || e.Cpu == cpu) && (pid < 0 || e.Pid == pid) && (kind == EventKind.Unknown || e.Kind == kind)) return i;
        }
        return -1;
    }

    /// <summary>Position of the event read from <paramref name="line"/>, or -1.</summary>
    public int FindByLine(long line, int depth = 256)
    {
        for (int i = Count - 1; i >= 0 && i >= Count - depth; i--)
            if (Slot(i).Line == line) return i;
        return -1;
    }
}
