using TraceForensics.Events.Model;
using TraceForensics.Ingest.Formats;
using static TraceForensics.Events.Decoding.PayloadFields;

namespace TraceForensics.Events.Decoding;

/// <summary>Block-layer payloads: <c>MAJ,MIN RWBS [bytes ()] SECTOR + NSECT [extra] [comm]</c>, splits
/// (<c>SECTOR / NEW</c>), remaps (<c>... &lt;- (MAJ,MIN) FROM</c>), unplug (<c>[comm] N</c>).</summary>
internal static class BlockPayloads
{
    public static bool Bio(ReadOnlySpan<byte> payload, ref EventPayload p, Utf8Interner strings)
    {
        if (!TryDeviceAndRwbs(payload, ref p, strings, out var rest)) return false;
        int plus = rest.IndexOf(" + "u8);
        if (plus < 0) return true; // e.g. a flush request without sectors
        var before = AsciiSpan.TrimEnd(rest[..plus]);
        int sp = before.LastIndexOf((byte)' ');
        if (AsciiSpan.TryParseUnsigned(before[(sp + 1)..], out ulong sector)) p.Sector = sector;
        var count = FirstToken(rest[(plus + 3)..], out var after);
        if (AsciiSpan.TryParseDecimal(count, out long n)) p.Sectors = n;
        // remap: "<- (254,0) 456"
        if (after.StartsWith("<- ("u8))
        {
            var from = after[4..];
            int close = from.IndexOf((byte)')');
            if (close > 0 && TryDevice(from[..close], out var fromDev)) p.FromDev = fromDev;
            if (close > 0 && AsciiSpan.TryParseUnsigned(FirstToken(from[(close + 1)..], out _), out ulong fromSector)) p.FromSector = fromSector;
        }
        return p.Sector is not null;
    }

    public static bool Split(ReadOnlySpan<byte> payload, ref EventPayload p, Utf8Interner strings)
    {
        if (!TryDeviceAndRwbs(payload, ref p, strings, out var rest)) return false;
        var sector = FirstToken(rest, out _);
        if (AsciiSpan.TryParseUnsigned(sector, out ulong s)) p.Sector = s;
        return p.Sector is not null;
    }

    public static bool Unplug(ReadOnlySpan<byte> payload, ref EventPayload p)
    {
        int close = payload.LastIndexOf((byte)']');
        if (close >= 0 && AsciiSpan.TryParseDecimal(AsciiSpan.Trim(payload[(close + 1)..]), out long n)) p.Count = n;
        return true;
    }

    private static bool TryDeviceAndRwbs(ReadOnlySpan<byte> payload, ref EventPayload p, Utf8Interner strings, out ReadOnlySpan<byte> rest)
    {
        var dev = FirstToken(payload, out rest);
        if (!TryDevice(dev, out var d)) return false;
        p.Dev = d;
        var rwbs = FirstToken(rest, out rest);
        if (!rwbs.IsEmpty) p.Rwbs = strings.Intern(rwbs);
        return true;
    }
}
