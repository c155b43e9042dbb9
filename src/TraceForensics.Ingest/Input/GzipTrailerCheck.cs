using System.Buffers.Binary;

namespace TraceForensics.Ingest.Input;

/// <summary>.NET's GZipStream ends silently when the compressed data is cut short. This wraps it: when the
/// output ends, the gzip trailer's size field (the last 4 compressed bytes: the output length modulo 2^32) must
/// match what was decompressed, else the end is reported as an <see cref="InvalidDataException"/> that
/// <see cref="FaultTolerantStream"/> turns into a read error. (Concatenated gzip members carry only the last
/// member's size there, so they are reported too.)</summary>
internal sealed class GzipTrailerCheck(Stream decompressed, GzipTrailerCheck.TailStream compressed) : ReadOnlyWrapperStream(decompressed)
{
    private long _output;
    private bool _checked;

    public override int Read(Span<byte> buffer)
    {
        int n = Inner.Read(buffer);
        _output += n;
        if (n == 0 && buffer.Length > 0 && !_checked)
        {
            _checked = true;
            if (compressed.Count < 18 || BinaryPrimitives.ReadUInt32LittleEndian(compressed.Tail[4..]) != (uint)_output)
                throw new InvalidDataException("the gzip data ends before its trailer: the file is cut short or corrupt");
        }
        return n;
    }

    /// <summary>Passes reads through and keeps the last 8 bytes read (the gzip trailer once the input ends).</summary>
    internal sealed class TailStream(Stream inner) : ReadOnlyWrapperStream(inner)
    {
        private readonly byte[] _tail = new byte[8];

        public long Count { get; private set; }
        public ReadOnlySpan<byte> Tail => _tail;

        public override int Read(Span<byte> buffer)
        {
            int n = Inner.Read(buffer);
            if (n >= 8) buffer.Slice(n - 8, 8).CopyTo(_tail);
            else if (n > 0)
            {
                _tail.AsSpan(n).CopyTo(_tail);
                buffer[..n].CopyTo(_tail.AsSpan(8 - n));
            }
            Count += n;
            return n;
        }
    }
}
