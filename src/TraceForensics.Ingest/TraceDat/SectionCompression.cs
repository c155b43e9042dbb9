using System.IO.Compression;
using ZstdSharp;

namespace TraceForensics.Ingest.TraceDat;

/// <summary>The compression of a version-7 trace.dat, named in its header ("name\0version\0", trace-cmd.dat.v7.5
/// "INITIAL FORMAT"): "none", "zlib" (libtracecmd trace-compress-zlib.c: zlib's compress2/uncompress, a zlib
/// stream) or "zstd" (trace-compress-zstd.c: one zstd frame per block).</summary>
internal sealed class SectionCompression(string name)
{
    public string Name => name;
    public bool IsNone => name is "none" or "";

    // One zstd context per thread for the file's blocks (a new one per block costs its context each time; the CPUs'
    // data are decompressed side by side).
    private readonly ThreadLocal<Decompressor> _zstd = new(() => new Decompressor());

    /// <summary>Decompresses one block to exactly <paramref name="size"/> bytes; throws <see cref="TraceDatException"/>
    /// when the data is bad or of another size.</summary>
    public byte[] Decompress(ReadOnlySpan<byte> data, int size, string what)
    {
        var output = new byte[size];
        DecompressInto(data, output, what);
        return output;
    }

    /// <summary>Decompresses one block into <paramref name="output"/>, which it must fill exactly (a CPU's chunk written
    /// straight into the CPU's pages, no copy); throws <see cref="TraceDatException"/> when the data is bad or of
    /// another size.</summary>
    public void DecompressInto(ReadOnlySpan<byte> data, Span<byte> output, string what)
    {
        int size = output.Length;
        int n;
        try
        {
            switch (name)
            {
                case "zstd":
                    n = _zstd.Value!.Unwrap(data, output);
                    break;
                case "zlib":
                {
                    using var zs = new ZLibStream(new MemoryStream(data.ToArray()), CompressionMode.Decompress);
                    n = 0;
                    while (n < size)
                    {
                        int r = zs.Read(output[n..]);
                        if (r == 0) break;
                        n += r;
                    }
                    break;
                }
                default:
                    throw new TraceDatException($"{what}: compressed with \"{name}\", which this reader does not know (zlib, zstd)");
            }
        }
        catch (Exception ex) when (ex is not TraceDatException)
        {
            throw new TraceDatException($"{what}: {name} data does not decompress ({ex.Message})");
        }
        if (n != size) throw new TraceDatException($"{what}: {name} data gives {n} bytes, {size} expected");
    }
}
