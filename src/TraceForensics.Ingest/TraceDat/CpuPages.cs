namespace TraceForensics.Ingest.TraceDat;

/// <summary>One CPU's ring-buffer pages handed out one at a time, only a bounded window of them in memory: read from the
/// file as the reading reaches them, decompressed chunk by chunk, or read from a stream of pages. A page handed out stays
/// valid until the next one is asked for.</summary>
internal abstract class CpuPages
{
    /// <summary>The next page: its bytes are <paramref name="buffer"/>[<paramref name="start"/>..+<paramref name="length"/>]
    /// (a whole page, or less at the end of the data); false at the end.</summary>
    public abstract bool Next(out byte[] buffer, out int start, out int length);

    /// <summary>Why the data ended before its declared end (bad compressed data), once; null when it did not.</summary>
    public string? Failure { get; protected set; }

    /// <summary>Pages of the file as they lie: <paramref name="size"/> bytes at <paramref name="offset"/>, read a window of
    /// pages at a time.</summary>
    public static CpuPages Stored(TraceDatStorage storage, long offset, long size, int pageSize) => new StoredPages(storage, offset, size, pageSize);

    /// <summary>A stream of whole pages (trace_pipe_raw's), one page at a time.</summary>
    public static CpuPages FromStream(Stream pages, int pageSize) => new StreamPages(pages, pageSize);

    private sealed class StoredPages(TraceDatStorage storage, long offset, long size, int pageSize) : CpuPages
    {
        private const int WindowBytes = 256 << 10;
        private readonly byte[] _window = new byte[Math.Max(pageSize, WindowBytes / pageSize * pageSize)];
        private long _windowAt = -1; // the data offset of the window's first byte
        private int _windowLength;
        private long _next; // the data offset of the next page

        public override bool Next(out byte[] buffer, out int start, out int length)
        {
            buffer = _window;
            start = 0;
            length = 0;
            if (_next >= size) return false;
            if (_windowAt < 0 || _next >= _windowAt + _windowLength)
            {
                _windowAt = _next;
                int want = (int)Math.Min(_window.Length, size - _next);
                _windowLength = 0;
                while (_windowLength < want)
                {
                    int got = storage.Read(offset + _next + _windowLength, _window.AsSpan(_windowLength, want - _windowLength));
                    if (got <= 0) break;
                    _windowLength += got;
                }
                if (_windowLength == 0) return false;
            }
            start = (int)(_next - _windowAt);
            length = (int)Math.Min(pageSize, _windowAt + _windowLength - _next);
            _next += length;
            return true;
        }
    }

    private sealed class StreamPages(Stream pages, int pageSize) : CpuPages
    {
        private readonly byte[] _page = new byte[pageSize];

        public override bool Next(out byte[] buffer, out int start, out int length)
        {
            buffer = _page;
            start = 0;
            length = pages.ReadAtLeast(_page, pageSize, throwOnEndOfStream: false);
            return length > 0;
        }
    }
}

/// <summary>A compressed CPU's pages (trace-cmd.dat.v7.5 "COMPRESSION FORMAT OF THE TRACE DATA": u32 chunk count, then per
/// chunk u32 compressed size, u32 size, data), each chunk read and decompressed when the reading reaches it: only the
/// chunk being read is in memory.</summary>
internal sealed class CompressedPages : CpuPages
{
    private readonly TraceDatStorage _storage;
    private readonly SectionCompression _compression;
    private readonly int _cpu, _pageSize;
    private readonly long _end;
    private readonly bool _bigEndian;
    private long _at; // the file offset of the next chunk's header
    private uint _chunk, _chunks;
    private byte[] _bytes;
    private byte[] _compressed = [];
    private int _start, _filled;

    public CompressedPages(TraceDatStorage storage, SectionCompression compression, int cpu, long offset, long compressedSize, int pageSize, bool bigEndian)
    {
        _storage = storage;
        _compression = compression;
        _cpu = cpu;
        _pageSize = pageSize;
        _bigEndian = bigEndian;
        _end = offset + compressedSize;
        _bytes = new byte[Math.Max(pageSize * 2, 64 << 10)];
        Span<byte> count = stackalloc byte[4];
        if (compressedSize >= 4 && storage.Read(offset, count) == 4) _chunks = (uint)TraceDatBytes.Read(count, 4, bigEndian);
        _at = offset + 4;
    }

    public override bool Next(out byte[] buffer, out int start, out int length)
    {
        while (_filled - _start < _pageSize && _chunk < _chunks && Failure is null)
        {
            try { ReadChunk(); }
            catch (TraceDatException ex) { Failure = ex.Message; }
        }
        buffer = _bytes;
        start = _start;
        length = Math.Min(_pageSize, _filled - _start);
        _start += length;
        return length > 0;
    }

    private void ReadChunk()
    {
        string what = $"cpu {_cpu} chunk {_chunk}";
        Span<byte> header = stackalloc byte[8];
        if (_end - _at < 8 || _storage.Read(_at, header) != 8)
            throw new TraceDatException($"cpu {_cpu} data: 8 bytes wanted at offset {_at}, only {Math.Max(0, _end - _at)} there");
        uint compressed = (uint)TraceDatBytes.Read(header, 4, _bigEndian);
        uint length = (uint)TraceDatBytes.Read(header[4..], 4, _bigEndian);
        if (compressed > (ulong)(_end - _at - 8))
            throw new TraceDatException($"cpu {_cpu} data: a size of {compressed} bytes at offset {_at + 4} runs past the end ({_end - _at - 8} left)");
        if (length > 1 << 30) throw new TraceDatException($"{what}: size {length} is not plausible");
        if (_compressed.Length < compressed) _compressed = new byte[Math.Max(compressed, 2 * _compressed.Length)];
        var input = _compressed.AsSpan(0, (int)compressed);
        if (_storage.Read(_at + 8, input) != input.Length) throw new TraceDatException($"{what}: cut off");
        // What is left of the page being read moves to the front; the chunk goes after it.
        int left = _filled - _start;
        if (left > 0 && _start > 0) Buffer.BlockCopy(_bytes, _start, _bytes, 0, left);
        _start = 0;
        _filled = left;
        if (_bytes.Length - _filled < length) Array.Resize(ref _bytes, (int)Math.Max(_filled + length, 2L * _bytes.Length));
        _compression.DecompressInto(input, _bytes.AsSpan(_filled, (int)length), what);
        _filled += (int)length;
        _at += 8 + compressed;
        _chunk++;
    }
}
