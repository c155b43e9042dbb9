namespace TraceForensics.Ingest.Input;

/// <summary>Base of the forward-only, read-only streams that wrap another (sniffing, fault tolerance, gzip trailer
/// check): subclasses implement <see cref="Read(Span{byte})"/>; the rest is fixed here, and disposing disposes the
/// wrapped stream.</summary>
internal abstract class ReadOnlyWrapperStream(Stream inner) : Stream
{
    public Stream Inner { get; } = inner;

    public abstract override int Read(Span<byte> buffer);
    public sealed override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public sealed override bool CanRead => true;
    public sealed override bool CanSeek => false;
    public sealed override bool CanWrite => false;
    public sealed override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public sealed override void Flush() { }
    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public sealed override void SetLength(long value) => throw new NotSupportedException();
    public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) Inner.Dispose();
        base.Dispose(disposing);
    }
}
