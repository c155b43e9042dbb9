using System.Text;
using TraceForensics.Ingest.TraceDat;

namespace TraceForensics.Tests.Ingest;

/// <summary>A version-6 trace.dat's metadata is read from a prefix of the file, read again longer only when the parse ran
/// past it; a damaged header is said after the first prefix, not after reading the whole file (issue 16).</summary>
public class TraceDatDamagedHeaderTests
{
    /// <summary>A file in memory that counts the bytes read of it.</summary>
    private sealed class Counting(byte[] data) : TraceDatStorage
    {
        public long BytesRead;
        public override long Length => data.Length;

        public override int Read(long offset, Span<byte> buffer)
        {
            if (offset < 0 || offset >= data.Length) return 0;
            int n = (int)Math.Min(buffer.Length, data.Length - offset);
            data.AsSpan((int)offset, n).CopyTo(buffer);
            BytesRead += n;
            return n;
        }
    }

    private const int FileBytes = 16 << 20;

    /// <summary>A version-6 initial format (magic, "6", little endian, 8-byte longs, 4 KiB pages) followed by
    /// <paramref name="rest"/>, padded with zeros to 16 MiB (a trace's data after its metadata).</summary>
    private static byte[] Version6(params byte[][] rest)
    {
        var m = new MemoryStream();
        m.Write(TraceDatFile.Magic);
        m.Write("6\0"u8);
        m.WriteByte(0);
        m.WriteByte(8);
        m.Write(BitConverter.GetBytes(4096u));
        foreach (var r in rest) m.Write(r);
        m.SetLength(FileBytes);
        return m.ToArray();
    }

    private static byte[] Text(string s) => Encoding.ASCII.GetBytes(s);
    private static byte[] U64(long v) => BitConverter.GetBytes(v);

    private static (string Message, long BytesRead) Fails(byte[] file)
    {
        var storage = new Counting(file);
        var e = Assert.Throws<TraceDatException>(() => TraceDatFile.Read(storage));
        return (e.Message, storage.BytesRead);
    }

    [Fact]
    public void A_damaged_section_label_is_said_after_the_first_prefix()
    {
        var (message, read) = Fails(Version6(Text("header_pagX\0")));
        Assert.Equal("\"header_page\" expected", message);
        Assert.Equal(1 << 20, read); // before: 1 + 2 + 4 + 8 + 16 MiB, the whole file and more
    }

    [Fact]
    public void A_section_size_past_the_end_of_the_file_is_said_after_the_first_prefix()
    {
        var (message, read) = Fails(Version6(Text("header_page\0"), U64(1L << 40)));
        Assert.Contains("runs past the end", message);
        Assert.Equal(1 << 20, read);
    }

    [Fact]
    public void A_bad_version_is_said_after_the_first_prefix()
    {
        var file = Version6();
        file[TraceDatFile.Magic.Length] = (byte)'5';
        var (message, read) = Fails(file);
        Assert.Contains("trace.dat version \"5\"", message);
        Assert.Equal(1 << 20, read);
    }

    [Fact]
    public void Metadata_longer_than_the_first_prefix_is_read_on_to_where_it_is_damaged()
    {
        // A header_page section of 3 MiB: the parse runs past the first 1 MiB, reads on, and finds the next label damaged.
        var (message, read) = Fails(Version6(Text("header_page\0"), U64(3 << 20), new byte[3 << 20], Text("header_evenX\0")));
        Assert.Equal("\"header_event\" expected", message);
        // The prefix is read again to where the section ends (3 MiB and the header) and 1 MiB on, not to the end of the 16 MiB file.
        Assert.InRange(read, (1 << 20) + (4 << 20), (1 << 20) + (4 << 20) + 64);
    }
}
