using TraceForensics.Ingest.Formats;

namespace TraceForensics.Events.Decoding;

/// <summary>The head of a kprobe payload: <c>(func+0x0/0x40) args</c> for an entry probe,
/// <c>(caller+0x1a2/0x3c0 &lt;- func) args</c> for a return probe (ftrace), or perf's <c>(ffffffff81234567)</c> and
/// <c>(ffffffff8123 &lt;- ffffffff8456)</c> whose function is in the event name.</summary>
internal static class KprobeHeader
{
    public static bool TryParse(ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> function, out ReadOnlySpan<byte> returnSite,
                                out bool isReturn, out ReadOnlySpan<byte> args)
    {
        function = default;
        returnSite = default;
        args = default;
        isReturn = false;
        if (payload.IsEmpty || payload[0] != (byte)'(') return false;
        int close = payload.IndexOf((byte)')');
        if (close < 0) return false;
        var inner = payload[1..close];
        args = AsciiSpan.TrimStart(payload[(close + 1)..]);
        int arrow = inner.IndexOf(" <- "u8);
        if (arrow >= 0)
        {
            isReturn = true;
            returnSite = inner[..arrow];
            function = AsciiSpan.FunctionName(inner[(arrow + 4)..]);
        }
        else
        {
            function = AsciiSpan.FunctionName(inner);
        }
        // ftrace prints "func+0xOFF/0xSIZE"; perf prints a bare address, whose function is the event name.
        if (AsciiSpan.TryParseHex(function, out _) && function.Length >= 8) function = default;
        return isReturn || inner.IndexOf("+0x"u8) > 0 || function.IsEmpty;
    }
}
