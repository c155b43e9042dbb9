using System.IO.Compression;
using SharpCompress.Compressors.Xz;
using ZstdSharp;

namespace TraceForensics.Ingest.Input;

/// <summary>Opens an input (a path, or "-" for stdin), recognises compression by magic bytes and returns a
/// stream of the plain bytes with the first of them already sniffed for format detection.</summary>
public static class InputOpener
{
    /// <summary>How many decompressed bytes are sniffed to detect the format.</summary>
    public const int SniffBytes = 64 * 1024;

    /// <summary>Opens a path; with <paramref name="hash"/>, a file's bytes are hashed as they are read
    /// (<see cref="OpenedInput.Sha256"/>).</summary>
    public static OpenedInput Open(string path, bool hash = false)
    {
        if (path == "-") return Open(Console.OpenStandardInput());
        Stream file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.SequentialScan);
        if (!hash) return Open(file);
        var hashing = new HashingStream(file);
        return Open(hashing, hashing);
    }

    public static OpenedInput Open(Stream raw) => Open(raw, null);

    private static OpenedInput Open(Stream raw, HashingStream? hashing)
    {
        var (magic, magicLength, stream) = PrefixedStream.Sniff(raw, 16);
        var compression = MagicBytes.DetectCompression(magic.AsSpan(0, magicLength));
        stream = compression switch
        {
            Compression.Gzip => GzipWithTrailerCheck(stream),
            Compression.Zstd => new DecompressionStream(stream),
            Compression.Xz => new XZStream(stream),
            _ => stream,
        };
        var (head, headLength, plain) = PrefixedStream.Sniff(
            new FaultTolerantStream(stream, compression == Compression.None ? int.MaxValue : FaultTolerantStream.DecompressorChunkBytes), SniffBytes);
        return new OpenedInput(plain, compression, head, headLength) { Hashing = hashing };
    }

    private static Stream GzipWithTrailerCheck(Stream compressed)
    {
        var tail = new GzipTrailerCheck.TailStream(compressed);
        return new GzipTrailerCheck(new GZipStream(tail, CompressionMode.Decompress), tail);
    }
}

/// <summary>An opened input: the plain (decompressed) byte stream, and its first bytes for sniffing.</summary>
public sealed class OpenedInput(Stream stream, Compression compression, byte[] head, int headLength) : IDisposable
{
    public Stream Stream { get; } = stream;
    public Compression Compression { get; } = compression;
    public ReadOnlySpan<byte> Head => head.AsSpan(0, headLength);

    /// <summary>The error that ended reading early (a truncated or corrupt compressed input), if any.</summary>
    public string? ReadError => (Stream as PrefixedStream)?.Inner is FaultTolerantStream f ? f.Error : null;

    internal HashingStream? Hashing { get; init; }

    /// <summary>The SHA-256 of the input file's bytes (compressed, as stored), when its reading went to the end; null for
    /// a stream not opened by path, or one not read to its end (a rejected input, an analysis that stopped early).</summary>
    public string? Sha256 => Hashing?.Sha256;

    public void Dispose() => Stream.Dispose();
}
