using System.Text;

namespace TraceForensics.Ingest.TraceDat;

/// <summary>A reusable byte buffer a record's rendered text is written into (no allocation per record once grown).</summary>
internal sealed class PayloadBuffer
{
    private byte[] _bytes = new byte[256];
    public int Length { get; private set; }
    public ReadOnlySpan<byte> Span => _bytes.AsSpan(0, Length);

    public void Clear() => Length = 0;

    private void Ensure(int more)
    {
        if (Length + more <= _bytes.Length) return;
        Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, Length + more));
    }

    public void Append(byte b) { Ensure(1); _bytes[Length++] = b; }

    public void Append(ReadOnlySpan<byte> s) { Ensure(s.Length); s.CopyTo(_bytes.AsSpan(Length)); Length += s.Length; }

    public void Append(string s)
    {
        Ensure(s.Length);
        foreach (char c in s) _bytes[Length++] = c < 256 ? (byte)c : (byte)'?';
    }

    /// <summary>An integer as printf's %d/%i (signed), %u (unsigned), %x/%X (hex) print it with no flags or width;
    /// false for other conversions.</summary>
    public bool TryAppendInteger(long n, char conv)
    {
        Ensure(24);
        var span = _bytes.AsSpan(Length);
        int written;
        bool ok = conv switch
        {
            'd' or 'i' => n.TryFormat(span, out written, default, System.Globalization.CultureInfo.InvariantCulture),
            'u' => ((ulong)n).TryFormat(span, out written, default, System.Globalization.CultureInfo.InvariantCulture),
            'x' => ((ulong)n).TryFormat(span, out written, "x", System.Globalization.CultureInfo.InvariantCulture),
            'X' => ((ulong)n).TryFormat(span, out written, "X", System.Globalization.CultureInfo.InvariantCulture),
            _ => (written = 0) != 0,
        };
        if (ok) Length += written;
        return ok;
    }

    public void Pad(int count, byte b) { for (int i = 0; i < count; i++) Append(b); }

    public override string ToString() => Encoding.Latin1.GetString(Span);
}
