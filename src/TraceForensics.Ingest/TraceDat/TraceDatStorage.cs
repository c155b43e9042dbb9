using Microsoft.Win32.SafeHandles;

namespace TraceForensics.Ingest.TraceDat;

/// <summary>The bytes of a trace.dat, read where they are wanted: a file read at offsets (the metadata sections and each
/// CPU's pages as the reading reaches them, nothing held for the whole file), or the whole input in memory when it cannot
/// be read at offsets (a pipe, a compressed trace.dat).</summary>
internal abstract class TraceDatStorage : IDisposable
{
    public abstract long Length { get; }

    /// <summary>Reads up to <paramref name="buffer"/>'s length at <paramref name="offset"/>; fewer at the end of the file.</summary>
    public abstract int Read(long offset, Span<byte> buffer);

    /// <summary>Up to <paramref name="count"/> bytes at <paramref name="offset"/> (fewer at the end of the file).</summary>
    public byte[] ReadArray(long offset, int count)
    {
        if (offset < 0 || offset >= Length) return [];
        var bytes = new byte[(int)Math.Min(count, Length - offset)];
        int n = 0;
        while (n < bytes.Length)
        {
            int got = Read(offset + n, bytes.AsSpan(n));
            if (got <= 0) break;
            n += got;
        }
        return n == bytes.Length ? bytes : bytes[..n];
    }

    public virtual void Dispose() { }

    public static TraceDatStorage InMemory(byte[] data) => new Memory(data);

    /// <summary>A file opened again by its path, read at offsets (<see cref="RandomAccess"/>, no shared position).</summary>
    public static TraceDatStorage? OpenFile(string path)
    {
        try
        {
            var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return new FileBytes(handle);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return null;
        }
    }

    private sealed class Memory(byte[] data) : TraceDatStorage
    {
        public override long Length => data.Length;

        public override int Read(long offset, Span<byte> buffer)
        {
            if (offset < 0 || offset >= data.Length) return 0;
            int n = (int)Math.Min(buffer.Length, data.Length - offset);
            data.AsSpan((int)offset, n).CopyTo(buffer);
            return n;
        }
    }

    private sealed class FileBytes(SafeFileHandle handle) : TraceDatStorage
    {
        // The length when opened: a file that grows while read is read as it was (a recording still being written).
        private readonly long _length = RandomAccess.GetLength(handle);
        public override long Length => _length;

        public override int Read(long offset, Span<byte> buffer)
        {
            if (offset < 0 || offset >= _length) return 0;
            if (buffer.Length > _length - offset) buffer = buffer[..(int)(_length - offset)];
            return RandomAccess.Read(handle, buffer, offset);
        }

        public override void Dispose() => handle.Dispose();
    }
}
