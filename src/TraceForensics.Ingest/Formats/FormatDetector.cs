using TraceForensics.Ingest.Input;

namespace TraceForensics.Ingest.Formats;

/// <summary>Detects an input's format from its first bytes: each line is tried with every tokenizer and the
/// format that reads the most lines wins. Binary trace files and other non-trace content are rejected with a
/// message that says what the input is and, where there is one, the way in.</summary>
public static class FormatDetector
{
    public static FormatDetection Detect(ReadOnlySpan<byte> head)
    {
        if (TraceDat.TraceDatFile.HasMagic(head)) return new(TraceFormat.TraceDat, null);
        if (MagicBytes.DescribeBinary(head) is { } binary) return new(TraceFormat.Unknown, binary);
        var start = AsciiSpan.TrimStart(head);
        // A topology file says what it is on its first line.
        int firstEnd = start.IndexOf((byte)'\n');
        var first = firstEnd < 0 ? start : start[..firstEnd];
        if (first.Length > 0 && first[^1] == (byte)'\r') first = first[..^1];
        if (TopologyTokenizer.IsHeader(first)) return new(TraceFormat.Topology, null);
        if (StartsWithIgnoreCase(start, "<!DOCTYPE html"u8) || StartsWithIgnoreCase(start, "<html"u8))
            return new(TraceFormat.Unknown,
                "this is an HTML file (a systrace or Perfetto report?), not trace text; save the raw trace " +
                "(`trace-cmd report`, /sys/kernel/tracing/trace or `perf script`) and read that");

        int ftrace = 0, perf = 0, dmesg = 0, kernelReports = 0, binaryLines = 0, lines = 0;
        bool traceCmd = false;
        var rest = head;
        var r = new RawRecord();
        var kernelLog = new KernelLogTokenizer();
        var kernelLines = new KernelLogLines();
        while (!rest.IsEmpty && lines < 2000)
        {
            int nl = rest.IndexOf((byte)'\n');
            if (nl < 0 && head.Length >= InputOpener.SniffBytes) break; // partial last line of a full sniff
            var line = nl < 0 ? rest : rest[..nl];
            rest = nl < 0 ? default : rest[(nl + 1)..];
            if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
            lines++;
            if (AsciiSpan.LooksBinary(line)) { binaryLines++; continue; }

            FtraceLineTokenizer.Tokenize(line, ref r);
            if (r.Kind is RecordKind.Event or RecordKind.StackStart)
            {
                ftrace++;
                if (r.Kind == RecordKind.StackStart && r.Event.SequenceEqual("kernel_stack"u8)) traceCmd = true;
            }
            else if (r.Kind == RecordKind.Header && (line.StartsWith("cpus="u8) || line.StartsWith("version = "u8)))
                traceCmd = true;

            PerfScriptLineTokenizer.Tokenize(line, ref r);
            if (r.Kind == RecordKind.Event) perf++;

            kernelLines.Push(line, new RecordPosition(lines, 0));
            CountKernelLines(kernelLines, kernelLog, ref dmesg, ref kernelReports);
        }
        kernelLines.End();
        CountKernelLines(kernelLines, kernelLog, ref dmesg, ref kernelReports);

        if (lines > 0 && binaryLines * 2 > lines)
            return new(TraceFormat.Unknown, "binary data, not trace text");
        if (ftrace > 0 && ftrace >= perf)
            return new(traceCmd ? TraceFormat.TraceCmd : TraceFormat.Ftrace, null);
        if (perf > 0)
            return new(TraceFormat.PerfScript, null);
        if (dmesg > 0 && (dmesg * 2 >= lines || dmesg >= 3) || kernelReports > 0)
            return new(TraceFormat.Dmesg, null);
        return new(TraceFormat.Unknown,
            head.IsEmpty ? "the input is empty"
            : lines == 0 ? $"no line break in its first {head.Length} bytes{(head.IndexOfAnyExcept((byte)0) < 0 ? " (all NUL bytes)" : "")}: not trace text"
                       : "no trace lines found at its start: not ftrace text, trace-cmd report, perf script output or a kernel log");
    }

    /// <summary>Why an input whose format was given (<c>--input-format</c>) is not text at all: a known binary format, or
    /// mostly binary lines in its first bytes; null for text. (Detection rejects these itself.)</summary>
    public static string? NotText(ReadOnlySpan<byte> head)
    {
        if (TraceDat.TraceDatFile.HasMagic(head)) return "a trace.dat file";
        if (MagicBytes.DescribeBinary(head) is { } binary) return binary;
        int lines = 0, binaryLines = 0;
        for (var rest = head; !rest.IsEmpty && lines < 2000; lines++)
        {
            int nl = rest.IndexOf((byte)'\n');
            var line = nl < 0 ? rest : rest[..nl];
            rest = nl < 0 ? default : rest[(nl + 1)..];
            if (AsciiSpan.LooksBinary(line)) binaryLines++;
        }
        return lines > 0 && binaryLines * 2 > lines ? "binary data, not trace text" : null;
    }

    /// <summary>A kernel log however it arrived (<see cref="KernelLogLines"/> takes the wrapping off): the lines with
    /// a time, and the reports among them.</summary>
    private static void CountKernelLines(KernelLogLines lines, KernelLogTokenizer tokenizer, ref int dmesg, ref int reports)
    {
        var r = new RawRecord();
        while (lines.TryTake(out var line))
        {
            if (line.WallNs is null && !KernelLogPrefix.LooksLikeKernelLog(line.Span)) continue;
            dmesg++;
            tokenizer.Tokenize(line, ref r);
            if (r.Kind is RecordKind.Event or RecordKind.StackStart) reports++;
        }
    }

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> s, ReadOnlySpan<byte> prefix)
    {
        if (s.Length < prefix.Length) return false;
        for (int i = 0; i < prefix.Length; i++)
            if ((s[i] | 0x20) != (prefix[i] | 0x20)) return false;
        return true;
    }
}
