using System.Security.Cryptography;

namespace TraceForensics.Ingest.Input;

/// <summary>Hashes (SHA-256) an input's bytes as they are read, so its hash comes from the one reading the analysis
/// makes: nothing is read a second time, and a FIFO or process substitution gets its hash too. The hash is known only
/// once the reading reached the end without an error.</summary>
internal sealed class HashingStream(Stream inner) : ReadOnlyWrapperStream(inner)
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _failed;

    /// <summary>The SHA-256 of every byte, lower-case hex, once the end was read; null before that or after a read error.</summary>
    public string? Sha256 { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        int n;
        try
        {
            n = Inner.Read(buffer);
        }
        catch
        {
            _failed = true;
            throw;
        }
        if (Sha256 is not null || _failed) return n;
        if (n > 0) _hash.AppendData(buffer[..n]);
        else if (buffer.Length > 0) Sha256 = Convert.ToHexStringLower(_hash.GetHashAndReset());
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _hash.Dispose();
        base.Dispose(disposing);
    }
}
