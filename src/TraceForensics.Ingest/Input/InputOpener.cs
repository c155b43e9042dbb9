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
    /// <remarks>With <paramref name="openFiles"/>, the file is read through a <see cref="ReopeningFileStream"/> that the
    /// bound may close while the input waits, and opens again where it was.</remarks>
    public static OpenedInput Open(string path, bool hash = false, OpenFileBound? openFiles = null)
    {
        if (path == "-") return Open(Console.OpenStandardInput());
        Stream file = openFiles is not null ? new ReopeningFileStream(path, openFiles)
            : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.SequentialScan);
        if (!hash) return Open(file);
        var hashing = new HashingStream(file);
        return Open(hashing, hashing);
    }

    public static OpenedInput Open(Stream raw) => Open(raw, null);

    private static OpenedInput Open(Stream raw, HashingStream? hashing)
    {
        try
        {
            return OpenSniffed(raw, hashing);
        }
        catch
        {
            raw.Dispose();
            throw;
        }
    }

    private static OpenedInput OpenSniffed(Stream raw, HashingStream? hashing)
    {
        var (magic, magicLength, stream) = PrefixedStream.Sniff(raw, 16);
        var compression = MagicBytes.DetectCompression(magic.AsSpan(0, magicLength));
        stream = compression switch
        {
            Compression.Gzip => new GzipMemberReader(stream),
            Compression.Zstd => new DecompressionStream(stream),
            Compression.Xz => new XZStream(stream),
            _ => stream,
        };
        var (head, headLength, plain) = PrefixedStream.Sniff(
            new FaultTolerantStream(stream, compression == Compression.None ? int.MaxValue : FaultTolerantStream.DecompressorChunkBytes), SniffBytes);
        return new OpenedInput(plain, compression, head, headLength) { Hashing = hashing, Raw = raw };
    }
}

/// <summary>An opened input: the plain (decompressed) byte stream, and its first bytes for sniffing.</summary>
public sealed class OpenedInput(Stream stream, Compression compression, byte[] head, int headLength) : IDisposable
{
    private byte[] _head = head;
    private int _headLength = headLength;

    public Stream Stream { get; private set; } = stream;
    public Compression Compression { get; } = compression;
    public ReadOnlySpan<byte> Head => _head.AsSpan(0, _headLength);

    /// <summary>The error that ended reading early (a truncated or corrupt compressed input), if any.</summary>
    public string? ReadError => (Stream as PrefixedStream)?.Inner is FaultTolerantStream f ? f.Error : (Stream as FaultTolerantStream)?.Error;

    /// <summary>Sniffs on up to <paramref name="bytes"/> when the head sniffed is full and none of it has been read yet:
    /// a trace that starts with a line longer than the sniff, or with junk, is still recognised. False when there is
    /// nothing more to sniff.</summary>
    public bool ExtendHead(int bytes)
    {
        if (_headLength < _head.Length || bytes <= _headLength || Stream is not PrefixedStream { Consumed: 0 } prefixed) return false;
        var head = new byte[bytes];
        _head.AsSpan(0, _headLength).CopyTo(head);
        int total = _headLength;
        while (total < bytes)
        {
            int n = prefixed.Inner.Read(head, total, bytes - total);
            if (n == 0) break;
            total += n;
        }
        if (total == _headLength) return false;
        Stream = new PrefixedStream(head, total, prefixed.Inner);
        _head = head;
        _headLength = total;
        return true;
    }

    /// <summary>The file's stream as opened (under the hashing, if any).</summary>
    internal Stream? Raw { get; init; }

    /// <summary>Lets go of the sniffed head (up to <see cref="InputOpener.SniffBytes"/>, held until the reading got past
    /// it) once the format is known: a plain input that can seek is read again from its start instead (the bytes read
    /// again are not hashed twice). A compressed input, a pipe or stdin keep it. <see cref="Head"/> is empty after.</summary>
    public void ReleaseHead()
    {
        if (Compression != Compression.None || _headLength == 0) return;
        if (Hashing is { } hashing) { if (!hashing.CanRewind) return; hashing.Rewind(); }
        else if (Raw is { CanSeek: true } raw) raw.Seek(0, SeekOrigin.Begin);
        else return;
        Stream = new FaultTolerantStream(Hashing ?? Raw!, int.MaxValue);
        _head = [];
        _headLength = 0;
    }

    internal HashingStream? Hashing { get; init; }

    /// <summary>True when the input's bytes are hashed as they are read.</summary>
    internal bool Hashes => Hashing is not null;

    /// <summary>The path of an input that is a regular file (one that can be read at offsets), else null.</summary>
    internal string? Path => (Hashing?.Inner ?? Raw) switch
    {
        FileStream { CanSeek: true } f => f.Name,
        ReopeningFileStream { Pinned: false } r => r.Path,
        _ => null,
    };

    /// <summary>The SHA-256 of the input file's bytes (compressed, as stored), when its reading went to the end; null for
    /// a stream not opened by path, or one not read to its end (a rejected input, an analysis that stopped early).</summary>
    public string? Sha256 => Hashing?.Sha256;

    public void Dispose() => Stream.Dispose();
}
