using Microsoft.Win32.SafeHandles;
using TraceForensics.Ingest.Input;

namespace TraceForensics.Tui;

/// <summary>A compressed input decompressed once into a file in TMPDIR (<see cref="TempSpill"/>), so that the event log reads it again at byte
/// offsets as it reads a plain file (the index's offsets are offsets in the decompressed text) instead of decompressing
/// from the start for every block. Made on the load's thread when the load ends (the UI stays live meanwhile). Bounded: an input that decompresses to more than <see cref="MaxBytes"/> is not
/// spilled (it is read again from its start).</summary>
internal sealed class SpillFile : IDisposable
{
    private readonly FileStream _file;

    private SpillFile(FileStream file, long length)
    {
        _file = file;
        Length = length;
    }

    /// <summary>The most a spill file takes: TRACEFX_TUI_SPILL_MAX bytes, or 4 GiB.</summary>
    public static long MaxBytes =>
        long.TryParse(Environment.GetEnvironmentVariable("TRACEFX_TUI_SPILL_MAX"), out long max) && max >= 0 ? max : 4L << 30;

    public long Length { get; }

    /// <summary>Decompresses <paramref name="path"/> into a new spill file; null when it is larger than
    /// <paramref name="maxBytes"/> or cannot be written (no room in TMPDIR). Throws OperationCanceledException when
    /// <paramref name="cancel"/> is set (the UI quit while the load made it).</summary>
    public static SpillFile? Of(string path, long maxBytes, CancellationToken cancel = default)
    {
        var file = TempSpill.Create("tracefx-tui");
        if (file is null) return null;
        try
        {
            using var opened = InputOpener.Open(path);
            var buffer = new byte[1 << 20];
            long length = 0;
            for (int n; (n = opened.Stream.Read(buffer)) > 0;)
            {
                if (cancel.IsCancellationRequested) { file.Dispose(); cancel.ThrowIfCancellationRequested(); }
                length += n;
                if (length > maxBytes) { file.Dispose(); return null; }
                file.Write(buffer, 0, n);
            }
            file.Flush();
            return new SpillFile(file, length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            file.Dispose();
            return null;
        }
    }

    /// <summary>The decompressed text from <paramref name="offset"/> on, as a stream of its own (its own position: several
    /// readings may go on at once).</summary>
    public Stream OpenAt(long offset) => new From(_file.SafeFileHandle, offset, Length);

    public void Dispose() => _file.Dispose();

    private sealed class From(SafeFileHandle handle, long offset, long length) : Stream
    {
        private long _position;
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => length - offset;
        public override long Position { get => _position; set => _position = value; }

        public override int Read(Span<byte> buffer)
        {
            int n = RandomAccess.Read(handle, buffer, offset + _position);
            _position += n;
            return n;
        }

        public override int Read(byte[] buffer, int start, int count) => Read(buffer.AsSpan(start, count));

        public override long Seek(long to, SeekOrigin origin) => _position = origin switch
        {
            SeekOrigin.Begin => to,
            SeekOrigin.Current => _position + to,
            _ => Length + to,
        };

        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int start, int count) => throw new NotSupportedException();
    }
}
