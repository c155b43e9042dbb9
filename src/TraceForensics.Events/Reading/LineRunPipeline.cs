using TraceForensics.Ingest.Formats;

namespace TraceForensics.Events.Reading;

/// <summary>Reads a text input in runs of whole lines and has them decoded by the session's
/// <see cref="DecodeWorkers"/>, handing them back in input order: the reading stays on the caller's thread (one stream,
/// read in order), the tokenizing and decoding, which is most of the cost, spreads over the cores. At most
/// <see cref="Depth"/> runs are in flight, each read straight into a buffer of its own of 128 KiB (more for a longer
/// line, at most the line limit), so memory stays bounded
/// whatever the input's size. A line that is not in a run (overlong, the last one without a newline) is read and
/// decoded by the caller, in its place.</summary>
internal sealed class LineRunPipeline(TraceRecordReader reader, EventTables tables, DecodeWorkers workers) : IDisposable
{
    private const int Depth = 6;
    /// <summary>Bytes of a run (unless one line is longer): a few hundred lines, whose records stay in a core's cache.</summary>
    private const int RunBytes = 128 * 1024;
    private readonly Queue<DecodedLines> _inFlight = new();
    private readonly Stack<DecodedLines> _free = new();
    private readonly Stack<byte[]> _spareBytes = new();
    private bool _ended;

    /// <summary>The next run of decoded records in input order; false at the end of the input. Give it back with
    /// <see cref="Return"/> once taken in.</summary>
    public bool Next(out DecodedLines run)
    {
        while (!_ended && _inFlight.Count < Depth)
        {
            if (!ReadOne()) break;
        }
        if (!_inFlight.TryDequeue(out run!)) return false;
        workers.WaitFor(run);
        return true;
    }

    public void Return(DecodedLines run) => _free.Push(run);

    /// <summary>All records of <paramref name="run"/> are taken in: its buffer serves the next run read (the run itself may
    /// wait a while longer, holding events in the reorder window, before it comes back through <see cref="Return"/>).</summary>
    public void TakenIn(DecodedLines run)
    {
        if (run.Bytes.Length > 0) _spareBytes.Push(run.Bytes);
        run.Bytes = [];
    }

    /// <summary>Reads the next run (and posts it for decoding) or the next single line; false at the end.</summary>
    private bool ReadOne()
    {
        var run = _free.TryPop(out var reused) ? reused : new DecodedLines();
        if (run.Bytes.Length == 0) run.Bytes = _spareBytes.TryPop(out var spare) ? spare : new byte[RunBytes];
        if (reader.TryReadLinesInto(ref run.Bytes, out int length, out long offset))
        {
            run.Filled(length, offset, reader.Format);
            _inFlight.Enqueue(run);
            workers.Post(run);
            return true;
        }
        var record = new RawRecord();
        if (!reader.Read(ref record))
        {
            _ended = true;
            _free.Push(run);
            return false;
        }
        run.Single(tables.ThreadDecoder, ref record, reader.LineOffset);
        _inFlight.Enqueue(run);
        return true;
    }

    /// <summary>Waits for the runs still being decoded (they read the tables), dropping them.</summary>
    public void Dispose()
    {
        while (_inFlight.TryDequeue(out var run))
        {
            try { workers.WaitFor(run); }
            catch (Exception) { } // a failure was thrown to the reader already, or nobody reads any more
        }
    }
}
