using System.Diagnostics.CodeAnalysis;
using System.IO.Compression;
using System.Reflection;

namespace TraceForensics.Ingest.Input;

/// <summary>Reads a gzip input with .NET's <see cref="GZipStream"/>, which reads every member of a concatenated gzip
/// (RFC 1952 2.2: "a gzip file consists of a series of members") and checks each member's trailer (CRC-32 and length)
/// itself, but ends silently when the data is cut short (measured on .NET 10 with 4 KB reads). So at the end the
/// decompressor is asked whether its last member was finished; if not, the input was cut. The messages are put in the
/// words of the input: zlib's Z_DATA_ERROR comes out of .NET as "unsupported compression method", which a bad trailer
/// is not.</summary>
internal sealed class GzipErrors(Stream compressed) : ReadOnlyWrapperStream(new GZipStream(compressed, CompressionMode.Decompress))
{
    // .NET keeps whether the inflater reached the end of its member (zlib's Z_STREAM_END) private: GZipStream._deflateStream,
    // DeflateStream._inflater, Inflater.Finished(). Tests (a gzip cut in half, cut inside its trailer) fail if that changes.
    // The dependencies keep these private members in the native (trimmed, ahead-of-time) build, where reflection sees
    // only what is kept; NativeBuildTests checks that a cut gzip is still found there.
    private static readonly FieldInfo? DeflateField;
    private static readonly FieldInfo? InflaterField;
    private static readonly MethodInfo? FinishedMethod;

    [DynamicDependency("_deflateStream", typeof(GZipStream))]
    [DynamicDependency("_inflater", typeof(DeflateStream))]
    [DynamicDependency("Finished", "System.IO.Compression.Inflater", "System.IO.Compression")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "The members are kept by the DynamicDependency attributes.")]
    static GzipErrors()
    {
        DeflateField = typeof(GZipStream).GetField("_deflateStream", BindingFlags.NonPublic | BindingFlags.Instance);
        InflaterField = typeof(DeflateStream).GetField("_inflater", BindingFlags.NonPublic | BindingFlags.Instance);
        FinishedMethod = InflaterField?.FieldType.GetMethod("Finished", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, Type.EmptyTypes);
    }

    private bool _ended;
    private long _output;

    public override int Read(Span<byte> buffer)
    {
        int n;
        try
        {
            n = Inner.Read(buffer);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException(e.Message.Contains("truncated", StringComparison.OrdinalIgnoreCase)
                ? CutShort
                : "the gzip data is corrupt: a member's compressed data or its trailer (CRC-32, length) does not match", e);
        }
        _output += n;
        if (n == 0 && buffer.Length > 0 && !_ended)
        {
            _ended = true;
            if (_output > 0 && LastMemberFinished() == false) throw new InvalidDataException(CutShort);
        }
        return n;
    }

    private const string CutShort = "the gzip data ends before its trailer: the file is cut short";

    /// <summary>Whether the decompressor finished its last member; null when this runtime does not say.</summary>
    private bool? LastMemberFinished()
    {
        if (DeflateField?.GetValue(Inner) is not DeflateStream deflate || InflaterField?.GetValue(deflate) is not { } inflater) return null;
        return FinishedMethod?.Invoke(inflater, null) as bool?;
    }
}
