using System.Buffers.Binary;
using System.Text;

namespace TraceForensics.Ingest.TraceDat;

/// <summary>Bad or cut-off trace.dat metadata: what is wrong and where (a byte offset of the file or section).</summary>
public sealed class TraceDatException(string message) : Exception(message);

/// <summary>A cursor over bytes of a trace.dat in the file's endianness (trace-cmd.dat.v6.5/v7.5, "INITIAL FORMAT": after
/// the endianness byte every number is in the file's byte order). Reads past the end throw
/// <see cref="TraceDatException"/> naming <paramref name="what"/>.</summary>
internal ref struct TraceDatBytes(ReadOnlySpan<byte> data, bool bigEndian, string what, long baseOffset = 0)
{
    private readonly ReadOnlySpan<byte> _data = data;
    public int Position;

    public readonly int Length => _data.Length;
    public readonly bool AtEnd => Position >= _data.Length;
    public readonly ReadOnlySpan<byte> Rest => _data[Position..];

    public ReadOnlySpan<byte> Take(long count)
    {
        if (count < 0 || count > _data.Length - Position)
            throw new TraceDatException($"{what}: {count} bytes wanted at offset {baseOffset + Position}, only {_data.Length - Position} there");
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
            throw new TraceDatException($"{what}: a size of {n} bytes at offset {baseOffset + Position} runs past the end ({_data.Length - Position} left)");
        return (int)n;
    }

    /// <summary>A NUL-terminated string (ASCII in the file; bytes kept as Latin-1 so nothing is lost).</summary>
    public string CString()
    {
        var rest = Rest;
        int nul = rest.IndexOf((byte)0);
        if (nul < 0) throw new TraceDatException($"{what}: a string at offset {baseOffset + Position} has no terminating NUL");
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
