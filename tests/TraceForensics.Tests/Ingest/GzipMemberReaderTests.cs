using System.IO.Compression;
using System.Text;
using TraceForensics.Ingest.Input;

namespace TraceForensics.Tests.Ingest;

/// <summary>The gzip member reader (RFC 1952 framing around .NET's raw deflate): every header field its flags name, a
/// member's trailer checked, several members one after another, and a cut (in the data, the trailer, the next header)
/// told apart from damage, all on gzip made in the test.</summary>
public class GzipMemberReaderTests
{
    private static byte[] Text(int lines, int seed = 1)
    {
        var sb = new StringBuilder();
        var r = new Random(seed);
        for (int i = 0; i < lines; i++) sb.Append($"line {i} {r.Next()} {r.Next():x} some text that repeats a little\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    private static byte[] Gzip(byte[] data, CompressionLevel level = CompressionLevel.Optimal)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, level, leaveOpen: true)) gz.Write(data);
        return ms.ToArray();
    }

    /// <summary>A member with every optional header field (FEXTRA, FNAME, FCOMMENT, FHCRC), as gzip(1) -N or
    /// bgzip/Python's gzip write them: the header made here, the data and trailer of .NET's.</summary>
    private static byte[] GzipWithHeaderFields(byte[] data)
    {
        var plain = Gzip(data);
        var header = new List<byte> { 0x1f, 0x8b, 8, 0x02 | 0x04 | 0x08 | 0x10, 1, 2, 3, 4, 0, 3 };
        header.AddRange([5, 0, (byte)'B', (byte)'C', 2, 0, 0]); // XLEN 5, a subfield
        header.AddRange(Encoding.ASCII.GetBytes("trace.txt\0"));
        header.AddRange(Encoding.ASCII.GetBytes("a comment\0"));
        uint crc = BitwiseCrc(header.ToArray());
        header.Add((byte)crc);
        header.Add((byte)(crc >> 8));
        return header.Concat(plain[10..]).ToArray();
    }

    private static (byte[] Data, string? Error) ReadAll(byte[] gz, int readSize = 4096)
    {
        using var reader = new GzipMemberReader(new MemoryStream(gz));
        var output = new MemoryStream();
        var buffer = new byte[readSize];
        try
        {
            int n;
            while ((n = reader.Read(buffer)) > 0) output.Write(buffer, 0, n);
            return (output.ToArray(), null);
        }
        catch (InvalidDataException e)
        {
            return (output.ToArray(), e.Message);
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(0, 4096)]
    [InlineData(3000, 7)]
    [InlineData(3000, 65536)]
    public void A_whole_gzip_reads_back_exactly(int lines, int readSize)
    {
        var text = Text(lines);
        // .NET writes no bytes at all for no data; gzip(1) -n of an empty file is these 20.
        byte[] empty = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        var (data, error) = ReadAll(lines == 0 ? empty : Gzip(text), readSize);
        Assert.Null(error);
        Assert.Equal(text, data);
    }

    [Fact]
    public void Every_header_field_is_read_and_the_header_crc_checked()
    {
        var text = Text(200);
        var gz = GzipWithHeaderFields(text);
        var (data, error) = ReadAll(gz);
        Assert.Null(error);
        Assert.Equal(text, data);
        gz[gz.AsSpan().IndexOf("a comment"u8) + 2] ^= 1; // the header CRC no longer matches
        Assert.Contains("header CRC (FHCRC) does not match", ReadAll(gz).Error);
    }

    [Fact]
    public void Many_members_of_any_size_are_read_one_after_another()
    {
        // Members whose ends fall anywhere in the reader's slices (tiny, large, stored).
        var parts = new[] { Text(1, 2), Text(500, 3), Text(3, 4), Text(2000, 5), Text(40, 6), Text(7000, 7) };
        var gz = parts.Select((p, i) => Gzip(p, i % 2 == 0 ? CompressionLevel.Optimal : CompressionLevel.NoCompression)).SelectMany(b => b).ToArray();
        var (data, error) = ReadAll(gz, 1000);
        Assert.Null(error);
        Assert.Equal(parts.SelectMany(p => p).ToArray(), data);
    }

    [Fact]
    public void Zero_bytes_after_the_last_member_are_padding_and_other_bytes_are_said()
    {
        var text = Text(100);
        Assert.Null(ReadAll([.. Gzip(text), .. new byte[700]]).Error);
        var (data, error) = ReadAll([.. Gzip(text), .. "junk"u8.ToArray()]);
        Assert.Equal(text, data);
        Assert.Contains("not a gzip member", error);
    }

    [Fact]
    public void A_cut_anywhere_in_a_member_is_a_cut_never_damage_and_keeps_what_came_before()
    {
        var text = Text(300);
        var gz = Gzip(text);
        // In the header, in the data, in the trailer (each of its 8 bytes), and of a second member.
        var second = Gzip(Text(20, 9));
        var cuts = new List<byte[]> { gz[..5], gz[..(gz.Length / 2)], gz[..(gz.Length - 8)] };
        for (int k = 1; k < 8; k++) cuts.Add(gz[..(gz.Length - k)]);
        cuts.Add([.. gz, .. second[..4]]);
        cuts.Add([.. gz, .. second[..(second.Length - 3)]]);
        foreach (var cut in cuts)
        {
            var (data, error) = ReadAll(cut);
            Assert.NotNull(error);
            Assert.Contains("cut short", error);
            Assert.DoesNotContain("corrupt", error);
            Assert.True(text.AsSpan().StartsWith(data) || data.AsSpan().StartsWith(text), $"cut at {cut.Length}: the bytes read are not the text's");
        }
        // Cut inside its trailer, the whole data is still read.
        Assert.Equal(text, ReadAll(gz[..(gz.Length - 3)]).Data);
    }

    [Theory]
    [InlineData(8)] // the CRC-32
    [InlineData(5)]
    [InlineData(4)] // the length
    [InlineData(1)]
    public void A_damaged_trailer_is_damage_not_a_cut_and_the_data_before_it_is_read(int fromEnd)
    {
        var text = Text(300);
        var gz = Gzip(text);
        gz[^fromEnd] ^= 0x40;
        var (data, error) = ReadAll(gz);
        Assert.Equal("the gzip data is corrupt: a member's trailer (CRC-32, length) does not match its data", error);
        Assert.Equal(text, data);
        // The same damage in the first of two members.
        var (_, first) = ReadAll([.. gz, .. Gzip(Text(5))]);
        Assert.Equal(error, first);
    }

    [Fact]
    public void Damaged_deflate_data_is_said_to_be_corrupt()
    {
        var gz = Gzip(Text(300));
        for (int i = 10; i < 30; i++) gz[i] = 0xff;
        var (_, error) = ReadAll(gz);
        Assert.NotNull(error);
        Assert.Contains("corrupt", error);
    }

    [Fact]
    public void A_header_with_another_method_or_reserved_flags_is_refused()
    {
        var gz = Gzip(Text(10));
        var method = gz.ToArray();
        method[2] = 7;
        Assert.Contains("compression method 7, not deflate", ReadAll(method).Error);
        var flags = gz.ToArray();
        flags[3] = 0x20;
        Assert.Contains("reserved flag bits", ReadAll(flags).Error);
    }

    /// <summary>RFC 1952 section 8's update_crc, one bit at a time.</summary>
    private static uint BitwiseCrc(byte[] data)
    {
        uint c = 0xffffffff;
        foreach (byte b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        return ~c;
    }

    [Fact]
    public void The_crc_is_gzips()
    {
        // RFC 1952's CRC-32 of "123456789" is 0xCBF43926 (the check value of CRC-32/ISO-HDLC).
        Assert.Equal(0xCBF43926u, Crc32.Append(0, "123456789"u8));
        var text = Text(100);
        Assert.Equal(BitwiseCrc(text), Crc32.Append(Crc32.Append(0, text.AsSpan(0, 33)), text.AsSpan(33)));
    }
}
