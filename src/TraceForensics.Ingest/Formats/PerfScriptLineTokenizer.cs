using static TraceForensics.Ingest.Formats.AsciiSpan;

namespace TraceForensics.Ingest.Formats;

/// <summary>Tokenizes one line of <c>perf script</c> output: an event line
/// <c>&lt;comm&gt; &lt;tid&gt;|&lt;pid&gt;/&lt;tid&gt; [&lt;cpu&gt;] &lt;secs&gt;.&lt;usecs&gt;: [&lt;period&gt;] [&lt;subsys&gt;:]&lt;event&gt;: &lt;payload&gt;</c>
/// (comm may contain spaces; cpu and period are optional), a callchain frame
/// <c>\t&lt;addr&gt; &lt;sym&gt;+0x.. (&lt;dso&gt;)</c>, or the blank line that ends a callchain.</summary>
public static class PerfScriptLineTokenizer
{
    public static void Tokenize(ReadOnlySpan<byte> line, ref RawRecord r)
    {
        r.Reset();
        var t = TrimStart(line);
        if (t.IsEmpty) { r.Kind = RecordKind.Blank; return; }
        // perf indents callchain frames with a tab; event lines start with the (space-padded) comm.
        if (line[0] == (byte)'\t')
        {
            if (!TryFrame(t, ref r)) Fail(ref r, "tab-indented line that is not a callchain frame");
            return;
        }
        if (t[0] == (byte)'#') { r.Kind = RecordKind.Header; return; }
        TokenizeEvent(line, ref r);
    }

    /// <summary><c>ffffffff82265ec8 __schedule+0x628 ([kernel.kallsyms])</c></summary>
    private static bool TryFrame(ReadOnlySpan<byte> t, ref RawRecord r)
    {
        int sp = t.IndexOf((byte)' ');
        if (sp <= 0 || !TryParseHex(t[..sp], out _)) return false;
        var sym = TrimStart(t[(sp + 1)..]);
        // "[unknown]" is a symbol of its own; otherwise drop "+0x.." and " (dso)".
        r.Kind = RecordKind.StackFrame;
        r.Frame = sym.StartsWith("[unknown]"u8) ? sym[.."[unknown]"u8.Length] : FunctionName(sym);
        return true;
    }

    private static void TokenizeEvent(ReadOnlySpan<byte> line, ref RawRecord r)
    {
        int tsEnd = FindTimestamp(line, out int tsStart, out long ts);
        if (tsEnd < 0) { Fail(ref r, "no timestamp"); return; }
        r.TimestampNs = ts;

        var left = TrimEnd(line[..tsStart]);
        if (left.Length > 0 && left[^1] == (byte)']')
        {
            int open = left.LastIndexOf((byte)'[');
            if (open < 0 || !TryParseInt(left[(open + 1)..^1], out int cpu)) { Fail(ref r, "bad [cpu] field"); return; }
            r.Cpu = cpu;
            left = TrimEnd(left[..open]);
        }
        int sp = left.LastIndexOfAny((byte)' ', (byte)'\t');
        var ids = left[(sp + 1)..];
        int slash = ids.IndexOf((byte)'/');
        if (slash >= 0)
        {
            // pid/tid: the process is the thread group, the thread is the task.
            if (!TryParsePid(ids[..slash], out int tgid) || !TryParsePid(ids[(slash + 1)..], out int tid)) { Fail(ref r, $"bad pid/tid (a pid is 0 to {PidMaxLimit - 1})"); return; }
            r.Tgid = tgid;
            r.Pid = tid;
        }
        else
        {
            if (!TryParsePid(ids, out int tid)) { Fail(ref r, "no tid before the timestamp"); return; }
            r.Pid = tid;
        }
        r.Comm = sp < 0 ? default : Trim(left[..sp]);

        var rest = TrimStart(line[(tsEnd + 1)..]);
        // Optional period column.
        int tokEnd = rest.IndexOfAny((byte)' ', (byte)'\t');
        if (tokEnd > 0 && TryParseDecimal(rest[..tokEnd], out _))
            rest = TrimStart(rest[tokEnd..]);
        int colon = FindEventEnd(rest);
        if (colon < 0) { Fail(ref r, "no event name after the timestamp"); return; }
        var name = rest[..colon];
        int sub = name.IndexOf((byte)':');
        if (sub > 0)
        {
            r.Subsystem = name[..sub];
            name = name[(sub + 1)..];
        }
        r.Kind = RecordKind.Event;
        r.Event = name;
        r.Payload = Trim(rest[(colon + 1)..]);
    }

    /// <summary>Finds " digits.digits:" followed by a space or the end; returns the index of the ':'.</summary>
    private static int FindTimestamp(ReadOnlySpan<byte> line, out int start, out long ts)
    {
        int from = 0;
        while (true)
        {
            int c = line[from..].IndexOf((byte)':');
            if (c < 0) break;
            c += from;
            int s = c;
            while (s > 0 && (IsDigit(line[s - 1]) || line[s - 1] == (byte)'.')) s--;
            if (s < c && (s == 0 || IsSpace(line[s - 1])) && (c + 1 == line.Length || IsSpace(line[c + 1]))
                && line[s..c].IndexOf((byte)'.') > 0 && TryParseTimestamp(line[s..c], out ts))
            {
                start = s;
                return c;
            }
            from = c + 1;
        }
        start = -1;
        ts = 0;
        return -1;
    }

    /// <summary>The event token ends with ':' followed by a space or the end (it may hold ':' itself).</summary>
    private static int FindEventEnd(ReadOnlySpan<byte> s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            byte b = s[i];
            if (b == (byte)':' && i > 0 && (i + 1 == s.Length || IsSpace(s[i + 1]))) return i;
            if (IsSpace(b)) return -1;
        }
        return -1;
    }

    private static void Fail(ref RawRecord r, string why)
    {
        r.Kind = RecordKind.Unrecognized;
        r.Problem = why;
    }
}
