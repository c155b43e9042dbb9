namespace TraceForensics.Ingest.Input;

/// <summary>A read-only input file whose descriptor may be closed between reads (by its <see cref="OpenFileBound"/>)
/// and is opened again at the offset reached when it is read next. A file that became shorter than that offset
/// meanwhile is an error (it was replaced or truncated while read), not a silent jump.</summary>
public sealed class ReopeningFileStream : Stream
{
    private readonly string _path;
    private readonly OpenFileBound _bound;
    private readonly LinkedListNode<ReopeningFileStream> _node;
    private FileStream? _file;
    private long _position;
    private bool _disposed;

    /// <summary>Opens <paramref name="path"/> now (so a missing or unreadable file fails here, at its name).</summary>
    public ReopeningFileStream(string path, OpenFileBound bound)
    {
        _path = path;
        _bound = bound;
        _node = new LinkedListNode<ReopeningFileStream>(this);
        _bound.Touch(this, _node, opening: true);
        try
        {
            _file = OpenFile();
        }
        catch
        {
            _bound.Release(_node);
            throw;
        }
        Pinned = !_file.CanSeek;
    }

    /// <summary>The file's path.</summary>
    internal string Path => _path;

    /// <summary>True for a file that cannot seek (FIFO, pipe, /proc): it stays open.</summary>
    public bool Pinned { get; }

    /// <summary>True while the descriptor is open.</summary>
    public bool IsOpen => _file is not null;

    private FileStream OpenFile() =>
        new(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.SequentialScan);

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty) return 0;
        bool opening = _file is null;
        _bound.Touch(this, _node, opening);
        if (_file is null)
        {
            var file = OpenFile();
            long length = file.Length;
            if (length < _position)
            {
                file.Dispose();
                _bound.Release(_node);
                throw new IOException($"{_path} became shorter ({length} bytes) than the {_position} bytes already read while it waited to be read on");
            }
            file.Position = _position;
            _file = file;
        }
        int n = _file.Read(buffer);
        _position += n;
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>Closes the descriptor (the bound makes room); the next read opens the file again.</summary>
    internal void CloseHandle()
    {
        _file?.Dispose();
        _file = null;
    }

    public override bool CanRead => !_disposed;
    public override bool CanSeek => !Pinned && !_disposed;
    public override bool CanWrite => false;
    public override long Length => _file?.Length ?? new FileInfo(_path).Length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        if (Pinned) throw new NotSupportedException();
        long target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => Length + offset,
        };
        if (target < 0) throw new IOException("seek before the start of the file");
        if (_file is not null) _file.Position = target;
        _position = target;
        return target;
    }

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _bound.Release(_node);
            CloseHandle();
        }
        base.Dispose(disposing);
    }
}
