using Microsoft.Win32.SafeHandles;
using TraceForensics.Ingest.Input;

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

    /// <summary>True when the whole input is held in memory (not read at offsets from a file).</summary>
    public bool HeldInMemory => this is Memory;

    public static TraceDatStorage InMemory(byte[] data) => new Memory(data);

    /// <summary>A file opened again by its path, read at offsets (<see cref="RandomAccess"/>, no shared position). With
    /// <paramref name="hashing"/> (the input's SHA-256, <see cref="HashingStream"/>), the bytes read are hashed as they are
    /// read where the reading goes on in file order (<see cref="HashTheRest"/> reads the others at the end).</summary>
    public static TraceDatStorage? OpenFile(string path, HashingStream? hashing = null)
    {
        try
        {
            var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return new FileBytes(handle, hashing);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>An input that cannot be read at offsets (stdin, a pipe, a gzip'd trace.dat): held in memory when it ends
    /// within <see cref="InMemoryBytes"/>, else copied on to a temporary file (<see cref="TempSpill"/>) and read from there at
    /// offsets, so memory does not grow with the input. Without a temporary file to write, it is held in memory.</summary>
    public static TraceDatStorage Spill(Stream input)
    {
        int inMemory = t_inMemoryBytes ?? InMemoryBytes;
        var head = new MemoryStream();
        var block = new byte[1 << 20];
        int n;
        while (head.Length <= inMemory && (n = input.Read(block)) > 0) head.Write(block, 0, n);
        if (head.Length <= inMemory) return new Memory(head.ToArray());
        if (TempSpill.Create("tracefx-dat", bufferSize: 1) is not { } spill)
        {
            input.CopyTo(head);
            return new Memory(head.ToArray());
        }
        try
        {
            head.Position = 0;
            head.CopyTo(spill);
            head.Dispose();
            input.CopyTo(spill, block.Length);
            spill.Flush();
            return new FileBytes(spill.SafeFileHandle, null, spill);
        }
        catch
        {
            spill.Dispose();
            throw;
        }
    }

    /// <summary>Bytes of an input that cannot be read at offsets held in memory; a longer one goes to a temporary file.</summary>
    private const int InMemoryBytes = 16 << 20;

    /// <summary>The tests' <see cref="InMemoryBytes"/> on their own thread (they spill small files).</summary>
    [ThreadStatic] internal static int? t_inMemoryBytes;

    /// <summary>Hashes the bytes not yet hashed as they were read (a file with a <see cref="HashingStream"/>), reading them
    /// now, and ends the hash; false when this storage does not hash.</summary>
    public virtual bool HashTheRest() => false;

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

    private sealed class FileBytes(SafeFileHandle handle, HashingStream? hashing, IDisposable? owner = null) : TraceDatStorage
    {
        // The length when opened: a file that grows while read is read as it was (a recording still being written).
        private readonly long _length = RandomAccess.GetLength(handle);
        public override long Length => _length;

        public override int Read(long offset, Span<byte> buffer)
        {
            if (offset < 0 || offset >= _length) return 0;
            if (buffer.Length > _length - offset) buffer = buffer[..(int)(_length - offset)];
            if (hashing is not null && offset > hashing.Hashed && offset - hashing.Hashed <= HashGapBytes) HashUpTo(offset);
            int n = RandomAccess.Read(handle, buffer, offset);
            if (n > 0) hashing?.HashAt(offset, buffer[..n]);
            return n;
        }

        /// <summary>A gap this small before a read (padding, a section not read) is read and hashed first, so the hashing
        /// goes on with the reading; a longer one (another CPU's data, which the reading reaches later) is left to the end.</summary>
        private const long HashGapBytes = 1 << 20;

        private void HashUpTo(long end)
        {
            var block = new byte[(int)Math.Min(1 << 20, end - hashing!.Hashed)];
            while (hashing.Hashed < end)
            {
                long at = hashing.Hashed;
                int n = RandomAccess.Read(handle, block.AsSpan(0, (int)Math.Min(block.Length, end - at)), at);
                if (n <= 0) return;
                hashing.HashAt(at, block.AsSpan(0, n));
            }
        }

        public override bool HashTheRest()
        {
            if (hashing is null) return false;
            HashUpTo(_length);
            hashing.End(_length);
            return true;
        }

        public override void Dispose()
        {
            handle.Dispose();
            owner?.Dispose();
        }
    }
}
