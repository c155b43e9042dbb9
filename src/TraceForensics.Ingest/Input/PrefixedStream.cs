namespace TraceForensics.Ingest.Input;

/// <summary>A read-only stream that first returns bytes already read from <paramref name="rest"/> (to sniff
/// magic numbers or content), then the rest of it. Lets stdin and decompressors be sniffed without seeking.</summary>
internal sealed class PrefixedStream(byte[] prefix, int prefixLength, Stream rest) : Stream
{
    private int _prefixPos;

    public Stream Inner => rest;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_prefixPos < prefixLength)
        {
            int n = Math.Min(buffer.Length, prefixLength - _prefixPos);
            prefix.AsSpan(_prefixPos, n).CopyTo(buffer);
            _prefixPos += n;
            return n;
        }
        return rest.Read(buffer);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
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
