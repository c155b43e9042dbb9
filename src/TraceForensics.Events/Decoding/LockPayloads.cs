using TraceForensics.Events.Model;
using TraceForensics.Ingest.Formats;
using static TraceForensics.Events.Decoding.PayloadFields;

namespace TraceForensics.Events.Decoding;

/// <summary>lock:contention_begin/end: <c>ADDR (flags=READ|PERCPU)</c>, <c>ADDR (ret=0)</c>.</summary>
internal static class LockPayloads
{
    public static bool Contention(ReadOnlySpan<byte> payload, ref EventPayload p, Utf8Interner strings)
    {
        var addr = FirstToken(payload, out var rest);
        if (!AsciiSpan.TryParseHex(addr, out ulong a)) return false;
        p.LockAddress = a;
        if (TryValue(rest, "(flags="u8, out var flags)) p.LockFlags = strings.Intern(flags.TrimEnd((byte)')'));
        return true;
    }
}
