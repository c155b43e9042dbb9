namespace TraceForensics.Tui;

/// <summary>A file read from a byte offset on, as if it began there: position 0 is the offset (a reading that goes back
/// to its start, as the input opener does once it sniffed the format, goes back to the offset, not to the file's
/// start).</summary>
internal sealed class FileFromOffset(FileStream file, long offset) : Stream
{
    public static FileFromOffset Open(string path, long offset)
    {
        var file = File.OpenRead(path);
        file.Seek(offset, SeekOrigin.Begin);
        return new FileFromOffset(file, offset);
    }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => file.Length - offset;
    public override long Position { get => file.Position - offset; set => file.Position = value + offset; }
    public override int Read(byte[] buffer, int start, int count) => file.Read(buffer, start, count);
    public override int Read(Span<byte> buffer) => file.Read(buffer);

    public override long Seek(long to, SeekOrigin origin) => origin switch
    {
        SeekOrigin.Begin => file.Seek(to + offset, SeekOrigin.Begin) - offset,
        SeekOrigin.Current => file.Seek(to, SeekOrigin.Current) - offset,
        _ => file.Seek(to, SeekOrigin.End) - offset,
    };

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int start, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) file.Dispose();
        base.Dispose(disposing);
    }
}
