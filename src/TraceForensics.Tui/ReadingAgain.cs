using TraceForensics.Events.Model;
using TraceForensics.Events.Reading;
using TraceForensics.Ingest.Formats;
using TraceForensics.Ingest.Input;

namespace TraceForensics.Tui;

/// <summary>The merged events read again from a block of the <see cref="EventIndex"/> on: each input is opened again
/// on its own (into the first reading's tables, so stack ids are the same) and merged as the session merged them (time,
/// then input order). A plain text file, or a compressed one's <see cref="SpillFile"/>, is opened at the block's byte
/// offset; an input that cannot be read from an offset (trace.dat, a compressed input too large to spill) is read again
/// from its start; the events before the block are skipped up to the block's first event. The events keep the places (input, line, byte offset) of the first reading.</summary>
internal sealed class ReadingAgain : IDisposable
{
    private readonly List<(TraceSession Session, int Input, long LineBase, long OffsetBase)> _readers = new();
    private TraceEvent[] _heads = [];
    private bool[] _has = [];

    private ReadingAgain() { }

    /// <summary>Opens the inputs at block <paramref name="block"/> and skips to its first event; null when that event is
    /// not met (the input changed since the first reading).</summary>
    public static ReadingAgain? At(EventIndex index, int block, IReadOnlyList<InputSummary> inputs, IReadOnlyList<InputReading> how,
                                   IReadOnlyList<SpillFile?> spills, EventTables tables)
    {
        var r = new ReadingAgain();
        for (int i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            if (how[i] == InputReading.NotAgain) continue;
            var start = index.StartOf(block, i);
            if (start == EventIndex.Start.Nowhere) continue; // nothing of this input from the block on
            var spill = spills[i];
            bool seek = how[i].AtOffsets();
            var options = new TraceSessionOptions { Format = input.Format, Parallelism = 1, SharedTables = tables };
            string path = input.Path;
            long offset = seek ? start.ByteOffset : 0;
            Func<Stream> open = spill is not null ? () => spill.OpenAt(offset) : () => FileFromOffset.Open(path, offset);
            TraceSession session;
            try { session = TraceSession.Open([(path, open)], options); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // gone or unreadable since the load: its events show as gaps (the first event is not met)
            }
            r._readers.Add((session, i, seek ? start.Line - 1 : 0, offset));
        }
        r._heads = new TraceEvent[r._readers.Count];
        r._has = new bool[r._readers.Count];
        for (int k = 0; k < r._readers.Count; k++) r._has[k] = r.ReadOne(k, out r._heads[k]);
        var (firstInput, firstLine) = index.First(block);
        // The block's first event comes within a block or two of the start (the events of the inputs' starts that the
        // merge put before the block); give up well past that.
        for (long skipped = 0; skipped < 64L * EventIndex.BlockEvents; skipped++)
        {
            if (!r.Peek(out var e)) break;
            if (e.Source.Input == firstInput && e.Source.Line == firstLine) return r;
            r.Read(out _);
        }
        r.Dispose();
        return null;
    }

    /// <summary>Events read from the inputs so far, those skipped to reach the block included.</summary>
    public long Decoded { get; private set; }

    private bool ReadOne(int k, out TraceEvent e)
    {
        var (session, input, lineBase, offsetBase) = _readers[k];
        if (!session.Read(out e)) return false;
        Decoded++;
        e.Source = new SourceLocation(input, e.Source.Line + lineBase, e.Source.ByteOffset + offsetBase);
        return true;
    }

    private int Best()
    {
        int best = -1;
        for (int k = 0; k < _heads.Length; k++)
            if (_has[k] && (best < 0 || _heads[k].TimestampNs < _heads[best].TimestampNs)) best = k;
        return best;
    }

    public bool Peek(out TraceEvent e)
    {
        int best = Best();
        e = best < 0 ? default : _heads[best];
        return best >= 0;
    }

    /// <summary>The next event in the merge; false at the end.</summary>
    public bool Read(out TraceEvent e)
    {
        int best = Best();
        if (best < 0) { e = default; return false; }
        e = _heads[best];
        _has[best] = ReadOne(best, out _heads[best]);
        return true;
    }

    public void Dispose()
    {
        foreach (var r in _readers) r.Session.Dispose();
    }
}
