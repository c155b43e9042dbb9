using static TraceForensics.Ingest.Formats.AsciiSpan;

namespace TraceForensics.Ingest.Formats;

/// <summary>Tokenizes one kernel-log line: strips the <c>&lt;4&gt;</c>, <c>[  376.749647]</c> and <c>[ T1054]</c>
/// prefixes, turns each hung-task report header (<c>INFO: task comm:pid blocked for more than N seconds.</c>)
/// into a <c>hung_task</c> event, <c>Call Trace:</c> into a stack start and its reliable frames
/// (<c>__schedule+0x3dc/0xf60</c>; <c>? </c> frames are unreliable and skipped) into stack frames. Every other
/// log line is text around the reports, not an error.</summary>
public static class DmesgLineTokenizer
{
    public static void Tokenize(ReadOnlySpan<byte> line, ref RawRecord r)
    {
        r.Reset();
        if (AsciiSpan.IsBlank(line)) { r.Kind = RecordKind.Blank; return; }
        var text = StripPrefix(line, out long ts, out bool hasTime);
        if (hasTime) r.TimestampNs = ts;
        r.Kind = RecordKind.Header;
        var t = TrimStart(text);

        if (t.StartsWith("INFO: task "u8))
        {
            int blocked = t.IndexOf(" blocked for more than "u8);
            if (blocked < "INFO: task "u8.Length) return; // no "comm:pid" between them
            var who = t["INFO: task "u8.Length..blocked];
            int colon = who.LastIndexOf((byte)':');
            if (colon < 0 || !TryParseInt(who[(colon + 1)..], out int pid)) return;
            r.Kind = RecordKind.Event;
            r.Event = "hung_task"u8;
            r.Comm = who[..colon];
            r.Pid = pid;
            r.Payload = t;
            return;
        }
        if (t.SequenceEqual("Call Trace:"u8))
        {
            r.Kind = RecordKind.StackStart;
            r.Event = "call_trace"u8;
            return;
        }
        if (t.Length > 0 && t.Length < text.Length && IsFrame(t))
        {
            r.Kind = RecordKind.StackFrame;
            r.Frame = FunctionName(t);
        }
    }

    /// <summary>A reliable frame: <c>func+0xOFF/0xSIZE</c> with an optional <c>[module]</c>.</summary>
    private static bool IsFrame(ReadOnlySpan<byte> t)
    {
        int plus = t.IndexOf((byte)'+');
        if (plus <= 0 || t[0] == (byte)'?') return false;
        var off = t[(plus + 1)..];
        int sp = off.IndexOf((byte)' ');
        if (sp >= 0) off = off[..sp];
        int slash = off.IndexOf((byte)'/');
        return slash > 0 && TryParseHex(off[..slash], out _) && TryParseHex(off[(slash + 1)..], out _)
               && t[..plus].IndexOfAny((byte)' ', (byte)':') < 0;
    }

    /// <summary>Removes <c>&lt;N&gt;</c>, <c>[ secs.usecs]</c> and <c>[ T123]</c>/<c>[ C1]</c> prefixes.</summary>
    public static ReadOnlySpan<byte> StripPrefix(ReadOnlySpan<byte> line, out long ts, out bool hasTime)
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
                if (s.Length > 2 && s[0] == (byte)'[')
                {
                    int c2 = s.IndexOf((byte)']');
                    var caller = c2 > 0 ? Trim(s[1..c2]) : default;
                    if (caller.Length > 1 && (caller[0] == (byte)'T' || caller[0] == (byte)'C') && TryParseInt(caller[1..], out _))
                        s = s[(c2 + 1)..];
                }
                if (s.Length > 0 && s[0] == (byte)' ') s = s[1..];
            }
        }
        return s;
    }

    /// <summary>True for lines that look like kernel log lines (a time prefix or a report header).</summary>
    public static bool LooksLikeKernelLog(ReadOnlySpan<byte> line)
    {
        var text = StripPrefix(line, out _, out bool hasTime);
        return hasTime || TrimStart(text).StartsWith("INFO: task "u8);
    }
}
