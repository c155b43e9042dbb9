namespace TraceForensics.Ingest.Input;

/// <summary>Splits a byte stream into lines without ever holding more than one buffer: a line is a span into
/// that buffer, valid until the next call. Lines longer than <see cref="MaxLineBytes"/> are skipped (their
/// first bytes are returned with <see cref="LineStatus.Overlong"/>), so a 100 MB line costs no memory. The buffer may
/// start smaller than the longest line and grow for one that does not fit.</summary>
public sealed class LineReader : IDisposable
{
    private readonly Stream _stream;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _eof;
    private long _bufferOffset; // input offset of _buffer[0]

    public LineReader(Stream stream, int maxLineBytes = 1 << 20, int bufferBytes = 1 << 20)
    {
        if (maxLineBytes < 16) throw new ArgumentOutOfRangeException(nameof(maxLineBytes));
        _stream = stream;
        MaxLineBytes = maxLineBytes;
        // A buffer smaller than the longest line (many inputs, each with a small one) grows when a line does not fit.
        _buffer = new byte[bufferBytes >= maxLineBytes ? Math.Max(bufferBytes, maxLineBytes + 1) : Math.Max(bufferBytes, 64)];
    }

    public int MaxLineBytes { get; }

    /// <summary>1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Byte offset (in the plain, decompressed input) where the line last returned starts.</summary>
    public long LineOffset { get; private set; }

    /// <summary>Length in bytes of the last line returned, including those skipped of an overlong line.</summary>
    public long LineLength { get; private set; }

    /// <summary>False when the line last returned ended at the end of the input without a newline.</summary>
    public bool LineTerminated { get; private set; }

    public LineStatus Read(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            var pending = _buffer.AsSpan(_start, _end - _start);
            int nl = pending.IndexOf((byte)'\n');
            if (nl >= 0)
            {
                line = Emit(_start, nl, nl + 1);
                return LineStatus.Line;
            }
            if (pending.Length >= MaxLineBytes)
                return SkipOverlong(out line);
            if (_eof)
            {
                if (pending.Length == 0)
                {
                    // Nothing more can come: the buffer goes (an input that ended holds none while the merge drains it).
                    _buffer = [];
                    _start = _end = 0;
                    line = default;
                    return LineStatus.End;
                }
                line = Emit(_start, pending.Length, pending.Length);
                return LineStatus.Line;
            }
            Fill();
        }
    }

    /// <summary>Hands out, when the buffer holds one, a run of whole lines at once: every byte up to and including the
    /// buffer's last newline (within the first <c>maxBytes</c> when a newline is there), and the input offset of its first byte. Each of its lines is what <see cref="Read"/> would
    /// have returned one by one (a newline in the buffer always ends a line), so a caller may split them elsewhere (on
    /// another thread, in a copy). False when no newline is left without reading on past <see cref="MaxLineBytes"/> or
    /// the end: the next line (overlong, or the last one without a newline) or the end comes from <see cref="Read"/>.
    /// <see cref="LineNumber"/> does not count the lines of a run: the caller counts them.</summary>
    public bool TryReadLines(out ReadOnlySpan<byte> lines, out long offset, int maxBytes = int.MaxValue)
    {
        while (true)
        {
            var pending = _buffer.AsSpan(_start, _end - _start);
            int last = pending[..Math.Min(pending.Length, maxBytes)].LastIndexOf((byte)'\n');
            if (last < 0) last = pending.LastIndexOf((byte)'\n');
            if (last >= 0)
            {
                offset = _bufferOffset + _start;
                lines = pending[..(last + 1)];
                _start += last + 1;
                LineOffset = offset + last + 1;
                LineLength = 0;
                return true;
            }
            if (pending.Length >= MaxLineBytes || _eof)
            {
                lines = default;
                offset = _bufferOffset + _start;
                return false;
            }
            Fill();
        }
    }

    /// <summary><see cref="TryReadLines"/> into <paramref name="target"/> (grown when a run is longer): the run's bytes are
    /// read from the stream straight into it, not into this reader's buffer and copied out; only the part of a line
    /// after the run's last newline is copied back here, to start the next run. <paramref name="length"/> bytes from
    /// the input <paramref name="offset"/> on; runs as <see cref="TryReadLines"/> hands out, of at most the target's length
    /// unless one line is longer (issue 15: a copy of every byte less).</summary>
    public bool TryReadLinesInto(ref byte[] target, out int length, out long offset)
    {
        // No more than the line limit at once: a line in a run is then never one that Read would skip as overlong.
        int maxBytes = Math.Min(target.Length, MaxLineBytes);
        int pending = _end - _start;
        if (pending > maxBytes / 4 || _eof)
        {
            // Much read already (the sniffed head, a switch from reading line by line) or nothing more to read: from the buffer.
            return CopyLines(ref target, maxBytes, out length, out offset);
        }
        offset = _bufferOffset + _start;
        _buffer.AsSpan(_start, pending).CopyTo(target);
        int n = pending;
        while (n < maxBytes)
        {
            int read = _stream.Read(target, n, maxBytes - n);
            if (read == 0)
            {
                _eof = true;
                break;
            }
            n += read;
        }
        int last = target.AsSpan(0, n).LastIndexOf((byte)'\n');
        int keep = last < 0 ? n : n - (last + 1);
        // What follows the last newline goes back to the start of the buffer (all of it when there is none).
        if (_buffer.Length < keep) _buffer = new byte[Math.Max(keep, 64)]; // a small buffer grows further as it fills
        target.AsSpan(n - keep, keep).CopyTo(_buffer);
        _bufferOffset = offset + (n - keep);
        _start = 0;
        _end = keep;
        if (last < 0) return CopyLines(ref target, maxBytes, out length, out offset);
        length = last + 1;
        LineOffset = offset + length;
        LineLength = 0;
        return true;
    }

    /// <summary><see cref="TryReadLines"/>, the run copied into <paramref name="target"/>.</summary>
    private bool CopyLines(ref byte[] target, int maxBytes, out int length, out long offset)
    {
        if (!TryReadLines(out var lines, out offset, maxBytes))
        {
            length = 0;
            return false;
        }
        if (target.Length < lines.Length) target = new byte[lines.Length];
        lines.CopyTo(target);
        length = lines.Length;
        return true;
    }

    private ReadOnlySpan<byte> Emit(int start, int length, int consumed)
    {
        LineNumber++;
        LineOffset = _bufferOffset + start;
        LineLength = consumed;
        LineTerminated = consumed > length;
        _start = start + consumed;
        var span = _buffer.AsSpan(start, length);
        if (span.Length > 0 && span[^1] == (byte)'\r') span = span[..^1];
        return span;
    }

    private LineStatus SkipOverlong(out ReadOnlySpan<byte> line)
    {
        LineNumber++;
        LineOffset = _bufferOffset + _start;
        // Keep a short prefix so the diagnostic can show what the line looked like.
        const int shown = 80;
        var prefix = _buffer.AsSpan(_start, shown).ToArray();
        long skipped = 0;
        while (true)
        {
            var pending = _buffer.AsSpan(_start, _end - _start);
            int nl = pending.IndexOf((byte)'\n');
            if (nl >= 0)
            {
                skipped += nl + 1;
                _start += nl + 1;
                break;
            }
            skipped += pending.Length;
            _start = _end;
            if (_eof) break;
            Fill();
        }
        LineLength = skipped;
        LineTerminated = true;
        line = prefix;
        return LineStatus.Overlong;
    }

    private void Fill()
    {
        if (_start > 0)
        {
            int keep = _end - _start;
            _buffer.AsSpan(_start, keep).CopyTo(_buffer);
            _bufferOffset += _start;
            _start = 0;
            _end = keep;
        }
        if (_end == _buffer.Length && _buffer.Length <= MaxLineBytes)
            Array.Resize(ref _buffer, (int)Math.Min(2L * _buffer.Length, MaxLineBytes + 1L));
        while (_end < _buffer.Length)
        {
            int n = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (n == 0)
            {
                _eof = true;
                return;
            }
            _end += n;
            if (_end - _start > MaxLineBytes / 4) return; // enough to look for the next newline
        }
    }

    public void Dispose() => _stream.Dispose();
}
