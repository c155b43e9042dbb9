using TraceForensics.Events.Model;

namespace TraceForensics.Tui;

/// <summary>An index of the merged events, built during the one reading pass: one entry every
/// <see cref="BlockEvents"/> events with the time and place of the block's first event and, per input, where a reading
/// of that input must start to meet every event of it from the block on (its first line at or after the block, in the
/// input's own order: an input's events leave its reorder window in time order, so a straggler read earlier in the file
/// may come later in the merge). A few bytes per block: memory flat in the trace's length.</summary>
public sealed class EventIndex
{
    public const int BlockEvents = 1024;

    /// <summary>Where a reading starts: a record's line (1-based ordinal) and its byte offset in the plain input.
    /// <see cref="Nowhere"/> when the input has no event from the block on.</summary>
    public readonly record struct Start(long Line, long ByteOffset)
    {
        public static readonly Start Nowhere = new(long.MaxValue, long.MaxValue);
    }

    private readonly int _inputs;
    private readonly List<long> _firstNs = new();
    private readonly List<(int Input, long Line)> _first = new();
    private readonly List<Start[]> _starts = new();

    public EventIndex(int inputs) => _inputs = inputs;

    /// <summary>Events indexed.</summary>
    public int Count { get; private set; }
    public int Blocks => _firstNs.Count;

    /// <summary>The index of the last hung-task report (-1: none), for the key that jumps there.</summary>
    public int LastHangReport { get; private set; } = -1;

    /// <summary>Takes the next merged event (in the order the analysis sees them).</summary>
    public void Add(in TraceEvent e)
    {
        if (Count % BlockEvents == 0)
        {
            _firstNs.Add(e.TimestampNs);
            _first.Add((e.Source.Input, e.Source.Line));
            _starts.Add(Enumerable.Repeat(Start.Nowhere, _inputs).ToArray());
        }
        if (e.Kind == EventKind.ProcessHang) LastHangReport = Count;
        Count++;
        // Every block at or before this one must start this input at this line at the latest; the starts of the blocks
        // rise with the block (each is the least line of a suffix of the merge), so the walk back stops at the first
        // block that starts early enough.
        int input = e.Source.Input;
        if (input < 0 || input >= _inputs) return;
        for (int b = _starts.Count - 1; b >= 0 && _starts[b][input].Line > e.Source.Line; b--)
            _starts[b][input] = new Start(e.Source.Line, e.Source.ByteOffset);
    }

    public long FirstNs(int block) => _firstNs[block];
    public (int Input, long Line) First(int block) => _first[block];
    public Start StartOf(int block, int input) => _starts[block][input];

    /// <summary>The last block whose first event is before <paramref name="ns"/> (0 when none).</summary>
    public int BlockBefore(long ns)
    {
        int lo = 0, hi = _firstNs.Count - 1, found = 0;
        while (lo <= hi)
        {
            int mid = (lo + hi) / 2;
            if (_firstNs[mid] < ns) { found = mid; lo = mid + 1; } else hi = mid - 1;
        }
        return found;
    }
}
