using TraceForensics.Ingest.Formats;

namespace TraceForensics.Events.Reading;

/// <summary>A run of whole lines read into a buffer of its own and decoded apart from the reader (on a worker thread):
/// one <see cref="DecodedRecord"/> a line, in line order. Kept for reuse with its buffers once taken in.</summary>
internal sealed class DecodedLines
{
    private byte[] _bytes = [];
    private int _length;
    private long _offset;
    private TraceFormat _format;

    public DecodedRecord[] Records { get; private set; } = new DecodedRecord[256];
    /// <summary>Events of this run waiting in the reader's <see cref="ReorderBuffer"/>, where they stay in the run.</summary>
    public int Held;
    /// <summary>Taken in whole while some of its events still wait (<see cref="ReorderBuffer.Retire"/>).</summary>
    public bool Pinned;
    /// <summary>Records decoded: one a line.</summary>
    public int Count { get; private set; }

    private volatile bool _decoded;
    private Exception? _failure;

    /// <summary>True once <see cref="Decode"/> has run (on whichever thread).</summary>
    public bool Decoded => _decoded;

    public void MarkDecoded(Exception? failure)
    {
        lock (this)
        {
            _failure = failure;
            _decoded = true;
            Monitor.PulseAll(this);
        }
    }

    public void WaitDecoded()
    {
        lock (this)
        {
            while (!_decoded) Monitor.Wait(this);
        }
    }

    public void ThrowIfFailed()
    {
        if (_failure is { } e) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e);
    }

    /// <summary>The buffer the run's lines are read into (<see cref="Filled"/>); empty while the run holds none (taken in,
    /// its events waiting in the reorder window: the buffer serves another run meanwhile).</summary>
    public ref byte[] Bytes => ref _bytes;

    /// <summary>The run's buffer now holds <paramref name="length"/> bytes of whole lines, each ending in a newline,
    /// from the input <paramref name="offset"/> on.</summary>
    public void Filled(int length, long offset, TraceFormat format)
    {
        _length = length;
        _offset = offset;
        _format = format;
        Count = 0;
        _decoded = false;
        _failure = null;
    }

    /// <summary>Splits the run into lines (a carriage return before a newline removed, as <c>LineReader</c> does) and
    /// decodes each as <see cref="TraceRecordReader.Read"/> and the input's reader would one by one.</summary>
    public void Decode(RecordDecoder decoder)
    {
        var bytes = _bytes.AsSpan(0, _length);
        int start = 0;
        var record = new RawRecord();
        while (start < bytes.Length)
        {
            int nl = bytes[start..].IndexOf((byte)'\n');
            var line = bytes.Slice(start, nl);
            if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
            TraceRecordReader.TokenizeLine(_format, line, ref record);
            if (Count == Records.Length)
            {
                var grown = Records;
                Array.Resize(ref grown, Count * 2);
                Records = grown;
            }
            decoder.Decode(ref record, _offset + start, ref Records[Count++]);
            start += nl + 1;
        }
    }

    /// <summary>One record read and decoded by the reader itself (a line that is not part of a run).</summary>
    public void Single(RecordDecoder decoder, ref RawRecord record, long offset)
    {
        _length = 0;
        Count = 1;
        _failure = null;
        decoder.Decode(ref record, offset, ref Records[0]);
        _decoded = true;
    }
}
