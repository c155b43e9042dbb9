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

    public void Pad(int count, byte b) { for (int i = 0; i < count; i++) Append(b); }

    public override string ToString() => Encoding.Latin1.GetString(Span);
}
