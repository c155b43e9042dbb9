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

    /// <summary>Decompresses one block to exactly <paramref name="size"/> bytes; throws <see cref="TraceDatException"/>
    /// when the data is bad or of another size.</summary>
    public byte[] Decompress(ReadOnlySpan<byte> data, int size, string what)
    {
        var output = new byte[size];
        int n;
        try
        {
            switch (name)
            {
                case "zstd":
                    using (var z = new Decompressor()) n = z.Unwrap(data, output);
                    break;
                case "zlib":
                {
                    using var zs = new ZLibStream(new MemoryStream(data.ToArray()), CompressionMode.Decompress);
                    n = 0;
                    while (n < size)
                    {
                        int r = zs.Read(output, n, size - n);
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
        return output;
    }
}
