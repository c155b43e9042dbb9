namespace TraceForensics.Ingest.Input;

/// <summary>A read-only stream that first returns bytes already read from <paramref name="rest"/> (to sniff
/// magic numbers or content), then the rest of it. Lets stdin and decompressors be sniffed without seeking.</summary>
internal sealed class PrefixedStream(byte[] prefix, int prefixLength, Stream rest) : Stream
{
    private int _prefixPos;
    private long _position;

    public Stream Inner => rest;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = 0;
        if (_prefixPos < prefixLength)
        {
            n = Math.Min(buffer.Length, prefixLength - _prefixPos);
            prefix.AsSpan(_prefixPos, n).CopyTo(buffer);
            _prefixPos += n;
            if (n == buffer.Length)
            {
                _position += n;
                return n;
            }
        }
        // A read that crosses the end of the prefix goes on into the rest: the xz decoder takes a short read
        // of a block header for the end of its input.
        n += rest.Read(buffer[n..]);
        _position += n;
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    /// <summary>Bytes read so far (the xz decoder reads it to find block padding); cannot be set.</summary>
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) rest.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>Reads up to <paramref name="count"/> bytes (fewer only at end of stream) and returns them with a
    /// stream that replays them before the rest.</summary>
    public static (byte[] Head, int Length, Stream Stream) Sniff(Stream source, int count)
    {
        var head = new byte[count];
        int total = 0;
        while (total < count)
        {
            int n = source.Read(head, total, count - total);
            if (n == 0) break;
            total += n;
        }
        return (head, total, new PrefixedStream(head, total, source));
    }
}
