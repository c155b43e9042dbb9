using System.Buffers.Binary;
using System.Text;

namespace TraceForensics.Ingest.TraceDat;

/// <summary>Bad or cut-off trace.dat metadata: what is wrong and where (a byte offset of the file or section).</summary>
public sealed class TraceDatException(string message) : Exception(message);

/// <summary>A read of the metadata ran past the first bytes of the file read so far (<see cref="TraceDatFile"/>'s prefix)
/// to <see cref="End"/>, which is within the file (-1: a string whose NUL is not in them): the prefix is read again,
/// longer. Only this retries a parse; any other error is the file's and said at once.</summary>
internal sealed class TraceDatPrefixEnded(long end) : Exception("the trace.dat metadata runs past the bytes read of it")
{
    public long End { get; } = end;
}

/// <summary>A cursor over bytes of a trace.dat in the file's endianness (trace-cmd.dat.v6.5/v7.5, "INITIAL FORMAT": after
/// the endianness byte every number is in the file's byte order). Reads past the end throw
/// <see cref="TraceDatException"/> naming <paramref name="what"/>; when the bytes are the first ones of a file of
/// <paramref name="fileLength"/> bytes and the read would end within it, <see cref="TraceDatPrefixEnded"/>.</summary>
internal ref struct TraceDatBytes(ReadOnlySpan<byte> data, bool bigEndian, string what, long baseOffset = 0, long fileLength = 0)
{
    private readonly ReadOnlySpan<byte> _data = data;
    public int Position;

    /// <summary>A read to <paramref name="end"/> (a file offset; -1 unknown) does not fit in the bytes: when they are a
    /// prefix of the file and the end is within it, the prefix was too short, not the file wrong.</summary>
    private readonly void PastEnd(long end)
    {
        if (fileLength > baseOffset + _data.Length && end <= fileLength) throw new TraceDatPrefixEnded(end);
    }

    public readonly int Length => _data.Length;
    public readonly bool AtEnd => Position >= _data.Length;
    public readonly ReadOnlySpan<byte> Rest => _data[Position..];

    public ReadOnlySpan<byte> Take(long count)
    {
        if (count < 0) throw new TraceDatException($"{what}: {count} bytes wanted at offset {baseOffset + Position}");
        if (count > _data.Length - Position)
        {
            PastEnd(baseOffset + Position + count);
            throw new TraceDatException($"{what}: {count} bytes wanted at offset {baseOffset + Position}, only {_data.Length - Position} there");
        }
        var s = _data.Slice(Position, (int)count);
        Position += (int)count;
        return s;
    }

    public byte U8() => Take(1)[0];
    public ushort U16() { var s = Take(2); return bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s); }
    public uint U32() { var s = Take(4); return bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s); }
    public ulong U64() { var s = Take(8); return bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(s) : BinaryPrimitives.ReadUInt64LittleEndian(s); }

    /// <summary>A size field, checked to fit in what is left.</summary>
    public int Size64() => CheckSize(U64());
    public int Size32() => CheckSize(U32());

    private readonly int CheckSize(ulong n)
    {
        if (n > (ulong)(_data.Length - Position))
        {
            if (n <= (ulong)fileLength) PastEnd(baseOffset + Position + (long)n);
            throw new TraceDatException($"{what}: a size of {n} bytes at offset {baseOffset + Position} runs past the end ({_data.Length - Position} left)");
        }
        return (int)n;
    }

    /// <summary>A NUL-terminated string (ASCII in the file; bytes kept as Latin-1 so nothing is lost).</summary>
    public string CString()
    {
        var rest = Rest;
        int nul = rest.IndexOf((byte)0);
        if (nul < 0)
        {
            PastEnd(-1);
            throw new TraceDatException($"{what}: a string at offset {baseOffset + Position} has no terminating NUL");
        }
        Position += nul + 1;
        return Encoding.Latin1.GetString(rest[..nul]);
    }

    public static ulong Read(ReadOnlySpan<byte> s, int size, bool bigEndian) => size switch
    {
        1 => s[0],
        2 => bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s),
        4 => bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s),
        8 => bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(s) : BinaryPrimitives.ReadUInt64LittleEndian(s),
        _ => 0,
    };
}
