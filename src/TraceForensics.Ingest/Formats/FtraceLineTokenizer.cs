using System.Buffers;
using static TraceForensics.Ingest.Formats.AsciiSpan;

namespace TraceForensics.Ingest.Formats;

/// <summary>Tokenizes one line of ftrace text (<c>trace</c>, <c>trace_pipe</c>) or of <c>trace-cmd report</c>:
/// <c>&lt;comm&gt;-&lt;pid&gt; [(&lt;tgid&gt;)] [&lt;cpu&gt;] [&lt;flags&gt;] &lt;secs&gt;.&lt;usecs&gt;: &lt;event&gt;: &lt;payload&gt;</c>,
/// header and marker lines, and <c>=&gt; func</c> stack frames. Never throws; never allocates except for
/// the reason of an unrecognized line.</summary>
public static class FtraceLineTokenizer
{
    public static void Tokenize(ReadOnlySpan<byte> line, ref RawRecord r)
    {
        r.Reset();
        int lead = SkipSpaces(line);
        if (lead < 0) { r.Kind = RecordKind.Blank; return; }
        var t = line[lead..];
        switch (t[0])
        {
            case (byte)'#':
                TokenizeHashLine(t, ref r);
                return;
            case (byte)'=' when t.Length > 1 && t[1] == (byte)'>':
                r.Kind = RecordKind.StackFrame;
                r.Frame = FunctionName(t[2..]);
                return;
            case (byte)'C' when t.StartsWith("CPU"u8):
                if (TryTokenizeCpuMarker(t, ref r)) return;
                break;
            case (byte)'c' when t.StartsWith("cpus="u8):
            case (byte)'v' when t.StartsWith("version = "u8):
                r.Kind = RecordKind.Header; // trace-cmd report header
                return;
        }
        TokenizeEvent(line, lead, ref r);
    }

    private static void TokenizeHashLine(ReadOnlySpan<byte> t, ref RawRecord r)
    {
        r.Kind = RecordKind.Header;
        if (t.StartsWith("#####"u8))
        {
            // trace_pipe: "##### CPU 1 buffer started ####"
            if (t.IndexOf("buffer started"u8) >= 0) r.Kind = RecordKind.BufferStarted;
            return;
        }
        int at = t.IndexOf("entries-in-buffer/entries-written:"u8);
        if (at < 0) return;
        var rest = TrimStart(t[(at + "entries-in-buffer/entries-written:"u8.Length)..]);
        int slash = rest.IndexOf((byte)'/');
        if (slash < 0) return;
        int end = IndexOfSpace(rest);
        if (end < 0) end = rest.Length;
        if (end <= slash) return;
        if (TryParseDecimal(rest[..slash], out long inBuffer) && TryParseDecimal(rest[(slash + 1)..end], out long written))
        {
            r.Kind = RecordKind.BufferEntries;
            r.Count = inBuffer;
            r.Count2 = written;
        }
    }

    /// <summary><c>CPU:1 [LOST 1234 EVENTS]</c>, <c>CPU 1 [LOST 1234 EVENTS]</c>, trace-cmd's <c>CPU:1 [1234 EVENTS DROPPED]</c>,
    /// <c>CPU 1 is empty</c>
    /// and <c>CPU0 data recorded at offset=...</c>.</summary>
    private static bool TryTokenizeCpuMarker(ReadOnlySpan<byte> t, ref RawRecord r)
    {
        int lost = t.IndexOf("[LOST "u8);
        if (lost >= 0)
        {
            var rest = t[(lost + 6)..];
            int sp = rest.IndexOf((byte)' ');
            if (sp > 0 && TryParseDecimal(rest[..sp], out long n))
            {
                r.Kind = RecordKind.LostEvents;
                r.Count = n;
                var cpu = Trim(t[3..lost]).TrimStart((byte)':');
                if (TryParseInt(cpu, out int c)) r.Cpu = c;
                return true;
            }
            return false;
        }
        // trace-cmd report: "CPU:0 [1234 EVENTS DROPPED]", or "CPU:0 [EVENTS DROPPED]" when the page did not keep the
        // count (ring buffer commit flag MISSING_EVENTS without MISSING_STORED); Count -1 says "some".
        int dropped = t.IndexOf("EVENTS DROPPED]"u8);
        int open = t.IndexOf((byte)'[');
        if (dropped > 0 && open > 3 && open < dropped)
        {
            var count = Trim(t[(open + 1)..dropped]);
            long n = -1;
            if (!count.IsEmpty && !TryParseDecimal(count, out n)) return false;
            var cpu = Trim(t[3..open]).TrimStart((byte)':');
            if (!TryParseInt(cpu, out int c)) return false;
            r.Kind = RecordKind.LostEvents;
            r.Count = n;
            r.Cpu = c;
            return true;
        }
        if (t.EndsWith(" is empty"u8) || t.IndexOf(" data recorded at offset="u8) >= 0)
        {
            r.Kind = RecordKind.Header;
            return true;
        }
        return false;
    }

    /// <summary>An event line, whose first byte that is not a space is at <paramref name="lead"/>. The kernel prints the
    /// context as <c>"%16s-%-7d "</c> (comm and pid), <c>"(%7s) "</c> (the tgid, with the record-tgid option), <c>"[%03d] "</c>
    /// (cpu), the irq-info flags and <c>"%5lu.%06lu: "</c> (kernel/trace/trace_output.c, <c>trace_print_context()</c>),
    /// then <c>"%s: "</c> and the event's own print format (<c>trace_raw_output_*()</c>). One pass forward: the leading
    /// spaces are skipped once, the timestamp is parsed as its token is found.</summary>
    private static void TokenizeEvent(ReadOnlySpan<byte> line, int lead, ref RawRecord r)
    {
        int cpuOpen = FindCpuField(line, lead, out int cpuClose, out int cpu);
        if (cpuOpen < 0) { Fail(ref r, "no [cpu] field"); return; }

        // Left of the cpu field: "comm-pid" and an optional "(tgid)". It starts at lead (the '[' is not a space, so it is
        // at or after it): trimming its start again would change nothing.
        var left = TrimEnd(line[lead..cpuOpen]);
        if (left.Length > 0 && left[^1] == (byte)')')
        {
            int open = left.LastIndexOf((byte)'(');
            if (open < 0) { Fail(ref r, "unbalanced tgid column"); return; }
            var tgid = Trim(left[(open + 1)..^1]);
            r.Tgid = TryParsePid(tgid, out int tg) ? tg : -1; // "(-----)" = unknown
            left = TrimEnd(left[..open]);
        }
        int dash = left.LastIndexOf((byte)'-');
        if (dash < 0 || !TryParsePid(left[(dash + 1)..], out int pid)) { Fail(ref r, dash < 0 ? "no comm-pid before the cpu field" : $"no pid the kernel gives (0 to {PidMaxLimit - 1}) in the comm-pid before the cpu field"); return; }
        r.Comm = left[..dash];
        r.Pid = pid;
        r.Cpu = cpu;

        // Right of the cpu field: [flags] timestamp ':' then event.
        var rest = TrimStart(line[(cpuClose + 1)..]);
        if (!TryTimestampToken(rest, out long ts, out int end))
        {
            int sp = IndexOfSpace(rest);
            if (sp < 0) { Fail(ref r, "no timestamp"); return; }
            r.Flags = rest[..sp];
            rest = TrimStart(rest[sp..]);
            if (!TryTimestampToken(rest, out ts, out end))
            {
                Fail(ref r, "no timestamp after the flags");
                return;
            }
        }
        r.TimestampNs = ts;
        rest = TrimStart(rest[end..]);

        if (rest.Length > 0 && rest[0] == (byte)'<' && (rest.StartsWith("<stack trace"u8) || rest.StartsWith("<user stack trace"u8)))
        {
            r.Kind = RecordKind.StackStart;
            r.Event = "stack"u8;
            return;
        }
        // The event name ends with ':' followed by a space or the end of the line.
        int colon = FindEventColon(rest);
        if (colon < 0)
        {
            // function tracer: "schedule+0x10/0x9c <-schedule_preempt_disabled+0x18/0x2c"
            if (rest.IndexOf(" <-"u8) > 0 || rest.IndexOf("<-"u8) > 0)
            {
                r.Kind = RecordKind.Event;
                r.Event = "function"u8;
                r.Payload = TrimEnd(rest);
                return;
            }
            Fail(ref r, "no event name after the timestamp");
            return;
        }
        var name = rest[..colon];
        var payload = TrimEnd(TrimStart(rest[(colon + 1)..]));
        if (name.SequenceEqual("kernel_stack"u8) || name.SequenceEqual("user_stack"u8))
        {
            r.Kind = RecordKind.StackStart;
            r.Event = name;
            return;
        }
        r.Kind = RecordKind.Event;
        r.Event = name;
        r.Payload = payload;
    }

    /// <summary>The first " [digits]" followed by a space, tab or end: the cpu column. Returns the index of '['.</summary>
    private static int FindCpuField(ReadOnlySpan<byte> line, int from, out int close, out int cpu)
    {
        while (true)
        {
            int i = line[from..].IndexOf((byte)'[');
            if (i < 0) break;
            i += from;
            int j = i + 1;
            while (j < line.Length && IsDigit(line[j])) j++;
            if (j > i + 1 && j < line.Length && line[j] == (byte)']' && i > 0 && IsSpace(line[i - 1])
                && (j + 1 == line.Length || IsSpace(line[j + 1]))
                && TryParseInt(line[(i + 1)..j], out cpu))
            {
                close = j;
                return i;
            }
            from = i + 1;
        }
        close = -1;
        cpu = -1;
        return -1;
    }

    /// <summary>The ':' that ends the event name: the first ':', space, tab, '(' or '&lt;' (one vectorised search) must be a
    /// ':' after at least one byte and before a space, a tab or the end.</summary>
    private static int FindEventColon(ReadOnlySpan<byte> s)
    {
        int i = s.IndexOfAny(EventNameEnd);
        if (i <= 0 || s[i] != (byte)':') return -1;
        return i + 1 == s.Length || IsSpace(s[i + 1]) ? i : -1;
    }

    private static readonly SearchValues<byte> EventNameEnd = SearchValues.Create(":( \t<"u8);

    private static void Fail(ref RawRecord r, string why)
    {
        r.Kind = RecordKind.Unrecognized;
        r.Problem = why;
    }
}
