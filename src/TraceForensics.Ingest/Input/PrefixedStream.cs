namespace TraceForensics.Ingest.Input;

/// <summary>A read-only stream that first returns bytes already read from <paramref name="rest"/> (to sniff
/// magic numbers or content), then the rest of it. Lets stdin and decompressors be sniffed without seeking.</summary>
internal sealed class PrefixedStream(byte[] prefix, int prefixLength, Stream rest) : ReadOnlyWrapperStream(rest)
{
    private int _prefixPos;
    private long _position;

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
        n += Inner.Read(buffer[n..]);
        _position += n;
        return n;
    }

    /// <summary>Bytes read so far of the stream (prefix included).</summary>
    public long Consumed => _position;

    /// <summary>Bytes read so far (the xz decoder reads it to find block padding); cannot be set.</summary>
    public override long Position { get => _position; set => throw new NotSupportedException(); }

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
