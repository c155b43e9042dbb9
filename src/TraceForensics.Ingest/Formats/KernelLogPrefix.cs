using static TraceForensics.Ingest.Formats.AsciiSpan;

namespace TraceForensics.Ingest.Formats;

/// <summary>The prefixes of kernel-log lines: <c>&lt;4&gt;</c>, <c>[  376.749647]</c>, <c>[ T1054]</c>/<c>[ C1]</c>.</summary>
public static class KernelLogPrefix
{
    /// <summary>Removes <c>&lt;N&gt;</c>, <c>[ secs.usecs]</c> and <c>[ T123]</c>/<c>[ C1]</c> prefixes.</summary>
    public static ReadOnlySpan<byte> Strip(ReadOnlySpan<byte> line, out long ts, out bool hasTime)
    {
        ts = 0;
        hasTime = false;
        var s = line;
        if (s.Length > 2 && s[0] == (byte)'<')
        {
            int gt = s.IndexOf((byte)'>');
            if (gt > 1 && gt <= 4 && TryParseInt(s[1..gt], out _)) s = s[(gt + 1)..];
        }
        if (s.Length > 2 && s[0] == (byte)'[')
        {
            int close = s.IndexOf((byte)']');
            if (close > 0 && TryParseTimestamp(Trim(s[1..close]), out ts))
            {
                hasTime = true;
                s = s[(close + 1)..];
                s = StripCaller(s);
                if (s.Length > 0 && s[0] == (byte)' ') s = s[1..];
            }
            else if (StripCaller(s) is var rest && rest.Length < s.Length)
                s = rest.Length > 0 && rest[0] == (byte)' ' ? rest[1..] : rest; // printk.time=0 with CONFIG_PRINTK_CALLER
        }
        return s;
    }

    /// <summary><c>[ T123]</c>/<c>[ C1]</c> (kernel/printk/printk.c info_print_prefix(): the caller id after the time).</summary>
    private static ReadOnlySpan<byte> StripCaller(ReadOnlySpan<byte> s)
    {
        if (s.Length <= 2 || s[0] != (byte)'[') return s;
        int c2 = s.IndexOf((byte)']');
        var caller = c2 > 0 ? Trim(s[1..c2]) : default;
        return caller.Length > 1 && (caller[0] == (byte)'T' || caller[0] == (byte)'C') && TryParseInt(caller[1..], out _) ? s[(c2 + 1)..] : s;
    }

    /// <summary>True for lines that look like kernel log lines (a time prefix or a report header).</summary>
    public static bool LooksLikeKernelLog(ReadOnlySpan<byte> line)
    {
        var text = Strip(line, out _, out bool hasTime);
        return hasTime || TrimStart(text).StartsWith("INFO: task "u8);
    }
}
