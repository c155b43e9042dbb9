namespace TraceForensics.Ingest.Input;

/// <summary>Wraps a decompressor: an exception while reading (truncated or corrupt data) ends the stream
/// instead of the program, and is kept in <see cref="Error"/> so it becomes a diagnostic. Everything read
/// before the fault is still delivered: reads from a decompressor are at most <see cref="DecompressorChunkBytes"/>,
/// because a decompressor that throws loses what it had decoded in that call. Plain files are read in whole buffers.</summary>
internal sealed class FaultTolerantStream(Stream inner, int chunkBytes = int.MaxValue) : ReadOnlyWrapperStream(inner)
{
    public const int DecompressorChunkBytes = 4096;

    public string? Error { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        if (Error is not null) return 0;
        try
        {
            return Inner.Read(buffer[..Math.Min(buffer.Length, chunkBytes)]);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException
                                      or ArgumentException or IndexOutOfRangeException or NotSupportedException
                                      or ZstdSharp.ZstdException or SharpCompress.Common.SharpCompressException)
        {
            Error = e.Message;
            return 0;
        }
    }
}
