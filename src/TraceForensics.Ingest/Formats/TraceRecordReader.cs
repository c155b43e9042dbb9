using TraceForensics.Ingest.Input;

namespace TraceForensics.Ingest.Formats;

/// <summary>Reads one input, line by line, into <see cref="RawRecord"/>s with the tokenizer of its format.
/// Overlong lines and binary junk come out as <see cref="RecordKind.Unrecognized"/> with a reason; a read
/// error (truncated compressed data) ends the input and is kept in <see cref="ReadError"/>. The record source of
/// the text formats: a record's position is its line.</summary>
public sealed class TraceRecordReader : IRecordSource
{
    private readonly OpenedInput _input;
    private readonly LineReader _lines;
    private readonly KernelLogTokenizer? _kernelLog;
    private readonly KernelLogLines? _kernelLines;
    private RecordPosition? _heldPosition; // a kernel log's line is handed on after the line that may continue it
    private readonly TopologyTokenizer? _topology;

    public TraceRecordReader(OpenedInput input, TraceFormat format, int maxLineBytes = 1 << 20, int bufferBytes = 1 << 20)
    {
        if (format == TraceFormat.Unknown) throw new ArgumentException("a format is needed", nameof(format));
        _input = input;
        Format = format;
        _lines = new LineReader(input.Stream, maxLineBytes, bufferBytes);
        if (format == TraceFormat.Dmesg)
        {
            _kernelLog = new KernelLogTokenizer();
            _kernelLines = new KernelLogLines();
        }
        if (format == TraceFormat.Topology) _topology = new TopologyTokenizer();
    }

    public TraceFormat Format { get; }
    public long LineNumber => _lines.LineNumber;
    public long LineOffset => _lines.LineOffset;
    public RecordPosition Position => _heldPosition ?? new(_lines.LineNumber, _lines.LineOffset);
    public long BytesRead => _lines.LineOffset + _lines.LineLength;
    public string? ReadError => _input.ReadError;

    /// <summary>Reads the next line into <paramref name="record"/>; false at the end of the input.</summary>
    public bool Read(ref RawRecord record)
    {
        if (_kernelLines is not null) return ReadKernelLog(ref record);
        var status = _lines.Read(out var line);
        if (status == LineStatus.End) return _kernelLog?.Finish(ref record) == true;
        if (status == LineStatus.Overlong)
        {
            record.Reset();
            record.Kind = RecordKind.Unrecognized;
            record.Problem = $"line of {_lines.LineLength} bytes is longer than the {_lines.MaxLineBytes}-byte limit; skipped";
            return true;
        }
        if (!_lines.LineTerminated && ReadError is not null)
        {
            // The last bytes before a decompression error: a line cut anywhere, its fields may be cut short.
            record.Reset();
            record.Kind = RecordKind.Unrecognized;
            record.Problem = "line cut off where the input ends early";
            return true;
        }
        switch (Format)
        {
            case TraceFormat.Dmesg: _kernelLog!.Tokenize(line, ref record); break;
            case TraceFormat.Topology: _topology!.Tokenize(line, ref record); break;
            default: TokenizeLine(Format, line, ref record); return true;
        }
        if (record.Kind == RecordKind.Unrecognized && AsciiSpan.LooksBinary(line))
            record.Problem = "binary data in a text trace";
        return true;
    }

    /// <summary>True for the formats whose lines are tokenized each on its own (ftrace, trace-cmd report, perf script):
    /// their runs of whole lines (<see cref="TryReadLinesInto"/>) can be tokenized apart from the reader, with
    /// <see cref="TokenizeLine"/>, in any order. A kernel log joins wrapped lines and a topology file carries state
    /// from line to line: they are read one line at a time.</summary>
    public bool ReadsLineRuns => Format is TraceFormat.Ftrace or TraceFormat.TraceCmd or TraceFormat.PerfScript;

    /// <summary>The next run of whole lines, each ending in a newline, read straight into <paramref name="target"/> (see
    /// <see cref="LineReader.TryReadLinesInto"/>): a run of at most the target's length unless one line is longer; false
    /// when the next line or the end must come from <see cref="Read"/>. Only for <see cref="ReadsLineRuns"/>.</summary>
    public bool TryReadLinesInto(ref byte[] target, out int length, out long offset)
    {
        if (!ReadsLineRuns) throw new InvalidOperationException($"{Format.Name()} is read one line at a time");
        return _lines.TryReadLinesInto(ref target, out length, out offset);
    }

    /// <summary>Tokenizes one line (without its newline, a carriage return before it removed) of a
    /// <see cref="ReadsLineRuns"/> format, as <see cref="Read"/> does.</summary>
    public static void TokenizeLine(TraceFormat format, ReadOnlySpan<byte> line, ref RawRecord record)
    {
        if (format == TraceFormat.PerfScript) PerfScriptLineTokenizer.Tokenize(line, ref record);
        else FtraceLineTokenizer.Tokenize(line, ref record);
        if (record.Kind == RecordKind.Unrecognized && AsciiSpan.LooksBinary(line))
            record.Problem = "binary data in a text trace";
    }

    /// <summary>A kernel log: raw lines go through <see cref="KernelLogLines"/> (arrival wrapping off, wrapped lines
    /// joined) to the tokenizer; a record's position is its (first) line.</summary>
    private bool ReadKernelLog(ref RawRecord record)
    {
        KernelLogLine line;
        while (!_kernelLines!.TryTake(out line))
        {
            var status = _lines.Read(out var raw);
            var at = new RecordPosition(_lines.LineNumber, _lines.LineOffset);
            if (status == LineStatus.End)
            {
                _kernelLines.End();
                if (_kernelLines.TryTake(out line)) break;
                _heldPosition = null;
                return _kernelLog!.Finish(ref record);
            }
            if (status == LineStatus.Overlong)
                _kernelLines.PushProblem($"line of {_lines.LineLength} bytes is longer than the {_lines.MaxLineBytes}-byte limit; skipped", at);
            else if (!_lines.LineTerminated && ReadError is not null)
                _kernelLines.PushProblem("line cut off where the input ends early", at);
            else
                _kernelLines.Push(raw, at);
        }
        _heldPosition = line.Position;
        _kernelLog!.Tokenize(line, ref record);
        return true;
    }

    public void Dispose() => _lines.Dispose();
}
