using TraceForensics.Events.Model;

namespace TraceForensics.Events.Reading;

/// <summary>A bounded window that puts slightly out-of-order events (trace_pipe merges per-cpu buffers) back in
/// time order: events are kept sorted (stable for equal times) in a ring, and the oldest is released once it is
/// more than <see cref="WindowNs"/> older than the newest or the ring is full. Events also wait here long enough
/// for a stack block that follows them to be attached: the event added last is never released while the input
/// goes on, even when it is far older than the newest (time went back), because its stack may come next.</summary>
internal sealed class ReorderBuffer(int capacity = 8192, long windowNs = 100_000_000)
{
    // The ring starts small and doubles up to the capacity: an input that waits in a merge of many holds little. Its
    // length is a power of two, so a position wraps with a mask, not a division (several per event).
    private TraceEvent[] _ring = new TraceEvent[System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Min(capacity, 4))];
    private int _head;
    private long _newest = long.MinValue;
    private long _lastAddedLine = -1;

    public int Count { get; private set; }
    public long WindowNs { get; } = windowNs;

    private ref TraceEvent Slot(int logical) => ref _ring[(_head + logical) & (_ring.Length - 1)];

    /// <summary>The event at a position from the oldest (0) to the newest (Count-1).</summary>
    public ref TraceEvent At(int logical) => ref Slot(logical);

    public void Add(in TraceEvent e)
    {
        if (Count == _ring.Length) Grow();
        long ts = e.TimestampNs;
        if (Count > 0 && ts < Slot(0).TimestampNs)
        {
            // Older than everything held (per-cpu sections one after another): goes first, no shifting.
            _head = (_head - 1) & (_ring.Length - 1);
            Slot(0) = e;
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
            Slot(pos) = e;
        }
        Count++;
        if (e.TimestampNs > _newest) _newest = e.TimestampNs;
        _lastAddedLine = e.Source.Line;
    }

    /// <summary>True when no event can be added before one is taken.</summary>
    public bool Full => Count >= capacity;

    private void Grow()
    {
        var ring = new TraceEvent[2 * _ring.Length];
        for (int i = 0; i < Count; i++) ring[i] = Slot(i);
        _ring = ring;
        _head = 0;
    }

    /// <summary>True when the oldest event is ready to leave (or must, to make room).</summary>
    public bool Ready => Count > 0 && (Count >= capacity - 1
                                       || _newest - Slot(0).TimestampNs > WindowNs && Slot(0).Source.Line != _lastAddedLine);

    /// <summary>Moves the oldest event out into <paramref name="e"/> (the caller's slot: one copy of the large event,
    /// not two through a return value). The slot is not cleared: it is written again before it is read, and what it
    /// still references (interned strings, a rare payload object) is bounded by the ring's length.</summary>
    public void TakeOldest(out TraceEvent e)
    {
        e = Slot(0);
        _head = (_head + 1) & (_ring.Length - 1);
        Count--;
    }

    /// <summary>Position of the newest event of this cpu and task (either may be -1: any) among the last
    /// <paramref name="depth"/>, or -1.</summary>
    public int FindNewest(int cpu, int pid, EventKind kind = EventKind.Unknown, int depth = 256)
    {
        for (int i = Count - 1; i >= 0 && i >= Count - depth; i--)
        {
            ref var e = ref Slot(i);
            if ((cpu < 0 || e.Cpu == cpu) && (pid < 0 || e.Pid == pid) && (kind == EventKind.Unknown || e.Kind == kind)) return i;
        }
        return -1;
    }

    /// <summary>Position of the event read from <paramref name="line"/>, or -1.</summary>
    public int FindByLine(long line, int depth = 256)
    {
        for (int i = Count - 1; i >= 0 && i >= Count - depth; i--)
            if (Slot(i).Source.Line == line) return i;
        return -1;
    }
}
