using System.Security.Cryptography;

namespace TraceForensics.Ingest.Input;

/// <summary>Hashes (SHA-256) an input's bytes as they are read, so its hash comes from the one reading the analysis
/// makes: nothing is read a second time, and a FIFO or process substitution gets its hash too. The hash is known only
/// once the reading reached the end without an error.</summary>
internal sealed class HashingStream(Stream inner) : ReadOnlyWrapperStream(inner)
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _failed;
    private long _position; // offset of the next byte read
    private long _hashed;   // bytes hashed: those before it are not hashed again when read again after a rewind

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
        long start = _position;
        _position += n;
        if (Sha256 is not null || _failed) return n;
        if (n > 0)
        {
            if (_position > _hashed)
            {
                _hash.AppendData(buffer[(int)(Math.Max(_hashed, start) - start)..n]);
                _hashed = _position;
            }
        }
        else if (buffer.Length > 0) Sha256 = Convert.ToHexStringLower(_hash.GetHashAndReset());
        return n;
    }

    /// <summary>Bytes from the file's start hashed so far.</summary>
    public long Hashed => _hashed;

    /// <summary>Hashes <paramref name="bytes"/>, read from the file at <paramref name="offset"/> by another reading (a
    /// trace.dat read at offsets), for the part of them that goes on from the bytes hashed so far; the rest is not hashed.</summary>
    public void HashAt(long offset, ReadOnlySpan<byte> bytes)
    {
        if (Sha256 is not null || _failed || offset > _hashed || offset + bytes.Length <= _hashed) return;
        _hash.AppendData(bytes[(int)(_hashed - offset)..]);
        _hashed = offset + bytes.Length;
    }

    /// <summary>Ends the hash of a file hashed through <see cref="HashAt"/> up to its <paramref name="length"/>: the same
    /// value as reading the whole file through this stream gives.</summary>
    public void End(long length)
    {
        if (Sha256 is null && !_failed && _hashed == length) Sha256 = Convert.ToHexStringLower(_hash.GetHashAndReset());
    }

    /// <summary>True when the file under it can be read again from its start (<see cref="Rewind"/>).</summary>
    public bool CanRewind => Inner.CanSeek;

    /// <summary>Reads from the start again; the bytes read again are not hashed twice.</summary>
    public void Rewind()
    {
        Inner.Seek(0, SeekOrigin.Begin);
        _position = 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _hash.Dispose();
        base.Dispose(disposing);
    }
}
