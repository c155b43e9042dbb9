using TraceForensics.Events.Decoding;
using TraceForensics.Events.Model;
using TraceForensics.Ingest.Diagnostics;
using TraceForensics.Ingest.Formats;
using TraceForensics.Ingest.Input;

namespace TraceForensics.Events.Reading;

/// <summary>Reads one input into normalized <see cref="TraceEvent"/>s in time order: takes each record of its
/// <see cref="IRecordSource"/> (a tokenized line of a text input), resolves
/// the event's meaning, decodes its payload, attaches stack blocks and callchains to the event they belong to,
/// and reports every bad line as a diagnostic while reading on.</summary>
public sealed class InputReader : IDisposable
{
    private readonly IRecordSource _records;
    private readonly EventTables _tables;
    private readonly int _inputIndex;
    private readonly ReorderBuffer _window = new();
    // Events are known in the window by their record's ordinal (its line in a text input), below called "line".
    private long _stackTargetLine = -1; // line of the event the stack being built belongs to
    private long _lastEventLine = -1;
    private RecordKind _previousKind = RecordKind.Blank;
    private long _lastReleasedNs = long.MinValue;
    private bool _ended;

    public InputReader(OpenedInput input, TraceFormat format, int inputIndex, InputSummary summary, EventTables tables)
        : this(RecordSources.Open(input, format), input.Compression, inputIndex, summary, tables)
    {
    }

    public InputReader(IRecordSource records, Compression compression, int inputIndex, InputSummary summary, EventTables tables)
    {
        _records = records;
        _tables = tables;
        _inputIndex = inputIndex;
        Summary = summary;
        Summary.Format = records.Format;
        Summary.Compression = compression;
    }

    public InputSummary Summary { get; }

    /// <summary>Bytes of the plain (decompressed) input read so far.</summary>
    public long BytesRead => _records.BytesRead;
    private string Path => Summary.Path;

    /// <summary>The next event in time order; false when the input is exhausted.</summary>
    public bool Read(out TraceEvent e)
    {
        while (!_window.Ready || StackMayFollowOldest())
        {
            if (_ended || !ReadRecord())
            {
                if (!_ended) End();
                if (_window.Count == 0) { e = default; return false; }
                break;
            }
        }
        e = _window.TakeOldest();
        if (e.TimestampNs < _lastReleasedNs)
            Report(e.Source.Line, DiagnosticSeverity.Warning, DiagnosticCodes.TimeWentBack,
                $"timestamp {TraceTime.Format(e.TimestampNs)} is earlier than {TraceTime.Format(_lastReleasedNs)}, beyond the " +
                $"{_window.WindowNs / 1_000_000} ms reorder window; kept in input order");
        else
            _lastReleasedNs = e.TimestampNs;
        return true;
    }

    /// <summary>True when the oldest event is a straggler just read (or the target of the stack being built): its
    /// stack block or callchain may follow, so it must not leave the window yet.</summary>
    private bool StackMayFollowOldest()
    {
        if (_ended || _window.Count == 0 || _window.Full) return false;
        long oldest = _window.At(0).Source.Line;
        return oldest == _lastEventLine || oldest == _stackTargetLine;
    }

    /// <summary>Reads one record; false at the end of the input.</summary>
    private bool ReadRecord()
    {
        var record = new RawRecord();
        if (!_records.Read(ref record)) return false;
        long line = _records.Position.Ordinal;
        Summary.Lines = line;
        var kind = record.Kind;
        if (record.Notice is { } notice) Report(line, DiagnosticSeverity.Info, DiagnosticCodes.WallClock, notice);
        switch (kind)
        {
            case RecordKind.Event:
                CompleteStack();
                AddEvent(ref record, line);
                break;
            case RecordKind.StackStart:
                CompleteStack();
                BeginStack(ref record, line);
                // a stack with no header line (ARM's unwinder): its first frame starts it
                if (!record.Frame.IsEmpty && _stackTargetLine >= 0) AddFrame(ref record, line);
                break;
            case RecordKind.StackFrame:
                AddFrame(ref record, line);
                break;
            case RecordKind.Blank:
                CompleteStack();
                break;
            case RecordKind.LostEvents:
                CompleteStack();
                // Count -1: events were lost, how many was not kept (trace-cmd's "[EVENTS DROPPED]").
                Summary.LostEvents += Math.Max(0, record.Count);
                AddGap(record.Cpu, record.Count, line);
                Report(line, DiagnosticSeverity.Info, DiagnosticCodes.LostEvents,
                    $"the ring buffer of cpu {record.Cpu} lost {(record.Count < 0 ? "events (how many was not kept)" : $"{record.Count} events")} here; " +
                    "state built across this gap may be incomplete");
                break;
            case RecordKind.BufferEntries:
                if (record.Count < record.Count2)
                {
                    Summary.LostEvents += record.Count2 - record.Count;
                    Report(line, DiagnosticSeverity.Info, DiagnosticCodes.BufferOverwritten,
                        $"entries-in-buffer {record.Count} < entries-written {record.Count2}: the ring buffer overwrote the " +
                        $"oldest {record.Count2 - record.Count} events; the trace starts late");
                }
                break;
            case RecordKind.Truncated:
                CompleteStack();
                Report(line, DiagnosticSeverity.Warning, DiagnosticCodes.TruncatedReport, record.Problem ?? "a report is cut off");
                break;
            case RecordKind.Skipped:
                CompleteStack();
                Report(line, DiagnosticSeverity.Info, DiagnosticCodes.UnknownLineKind, record.Problem ?? "a line of an unknown kind; skipped");
                break;
            case RecordKind.Unrecognized:
                CompleteStack();
                Report(line, DiagnosticSeverity.Warning,
                    record.Problem is { } p && p.StartsWith("binary", StringComparison.Ordinal) ? DiagnosticCodes.BinaryLine
                    : record.Problem?.StartsWith("line of ", StringComparison.Ordinal) == true ? DiagnosticCodes.OverlongLine
                    : DiagnosticCodes.UnrecognizedLine,
                    _records.Position.IsLine ? $"skipped a line that is not {_records.Format.Name()}: {record.Problem}"
                        : $"skipped a record of the {_records.Format.Name()} input: {record.Problem}");
                break;
        }
        _previousKind = kind;
        return true;
    }

    private void AddEvent(ref RawRecord record, long line)
    {
        var strings = _tables.Strings;
        var e = new TraceEvent
        {
            TimestampNs = record.TimestampNs,
            Cpu = record.Cpu,
            Pid = record.Pid,
            Tgid = record.Tgid,
            Comm = strings.Intern(record.Comm),
            Name = strings.Intern(record.Event),
            Source = new SourceLocation(_inputIndex, line, _records.Position.ByteOffset),
        };
        var payload = record.Payload;
        e.Kind = Resolve(e.Name, record.Subsystem, ref payload, ref e.Payload);
        bool decoded = e.Kind == EventKind.Unknown
            || (record.Report is { } report ? _tables.Decoder.Decode(e.Kind, report, ref e.Payload)
                : record.Topology is { } fact ? _tables.Decoder.Decode(e.Kind, fact, ref e.Payload)
                : _tables.Decoder.Decode(e.Kind, e.Name, payload, ref e.Payload));
        if (!decoded && e.Kind == EventKind.ProcessHang && record.Report is null)
        {
            // sched_process_hang is emitted by khungtaskd and names the hung task only in its payload (kernel/hung_task.c,
            // trace_sched_process_hang(t)): with a pid= that is no pid, the hung task is unknown, never the reporter.
            Report(line, DiagnosticSeverity.Warning, DiagnosticCodes.PayloadMismatch,
                $"{e.Name}: its pid= is not a pid the kernel gives (0 to {Ingest.Formats.AsciiSpan.PidMaxLimit - 1}); the hang report is skipped");
            e.Kind = EventKind.Unknown;
        }
        else if (!decoded)
            Report(line, DiagnosticSeverity.Warning, DiagnosticCodes.PayloadMismatch,
                $"{e.Name}: payload lacks what a {e.Kind.Name()} event carries; the event is kept without those facts");
        _window.Add(e);
        _lastEventLine = line;
        Summary.Events++;
        if (e.TimestampNs < Summary.FirstTimestampNs) Summary.FirstTimestampNs = e.TimestampNs;
        if (e.TimestampNs > Summary.LastTimestampNs) Summary.LastTimestampNs = e.TimestampNs;
    }

    /// <summary>Marks a gap in the stream where the ring buffer lost events, at the time of the newest event read.</summary>
    private void AddGap(int cpu, long lost, long line)
    {
        if (Summary.LastTimestampNs == long.MinValue) return; // nothing before it to doubt
        var gap = new TraceEvent
        {
            TimestampNs = Summary.LastTimestampNs,
            Cpu = cpu,
            Pid = -1,
            Tgid = -1,
            Comm = "",
            Name = "lost_events",
            Kind = EventKind.TraceGap,
            Source = new SourceLocation(_inputIndex, line, _records.Position.ByteOffset),
        };
        gap.Payload.Count = lost;
        _window.Add(gap);
    }

    /// <summary>The meaning of an event: the user's map, then a kprobe's probed function, then the tracepoint
    /// name. For a kprobe, <paramref name="payload"/> becomes its arguments.</summary>
    private EventKind Resolve(string name, ReadOnlySpan<byte> subsystem, ref ReadOnlySpan<byte> payload, ref EventPayload p)
    {
        var dictionary = _tables.Dictionary;
        if (dictionary.IsUserMapped(name)) return dictionary.ByName(name);
        bool perfProbe = subsystem.StartsWith("probe"u8);
        if ((perfProbe || (payload.Length > 0 && payload[0] == (byte)'('))
            && KprobeHeader.TryParse(payload, out var function, out var returnSite, out bool isReturn, out var args))
        {
            string func;
            if (!function.IsEmpty) func = _tables.Strings.Intern(function);
            else
            {
                // An address for a function (perf script; trace-cmd report, which prints the kprobe's print fmt "(%lx)"
                // without the subsystem): the function is in the event name, as `perf probe` names it (func, func__return).
                bool returnName = name.EndsWith("__return", StringComparison.Ordinal);
                var named = returnName ? _tables.Strings.Intern(name[..^"__return".Length]) : name;
                if (!perfProbe && dictionary.ByProbedFunction(named, returnName || isReturn) == EventKind.Unknown) return dictionary.ByName(name);
                isReturn = returnName || isReturn;
                func = named;
            }
            p.Function = func;
            p.IsReturnProbe = isReturn;
            if (!returnSite.IsEmpty) p.ReturnSite = _tables.Strings.Intern(returnSite);
            payload = args;
            return dictionary.ByProbedFunction(func, isReturn);
        }
        return dictionary.ByName(name);
    }

    private void BeginStack(ref RawRecord record, long line)
    {
        // ftrace: the previous event of the same task on the same cpu; a kernel log's call trace: the report before it.
        // A kernel log's call trace belongs to its hung-task report, not to the report's detail lines.
        int target = _window.FindNewest(record.Cpu, record.Pid, record.Event.SequenceEqual("call_trace"u8) ? EventKind.ProcessHang : EventKind.Unknown);
        if (target < 0)
        {
            Report(line, DiagnosticSeverity.Warning, DiagnosticCodes.OrphanStackFrame,
                "a stack block with no event of its task before it (the event was lost or cut off); stack ignored");
            _stackTargetLine = -1;
            return;
        }
        _stackTargetLine = _window.At(target).Source.Line;
        _tables.Stacks.Begin();
    }

    private void AddFrame(ref RawRecord record, long line)
    {
        if (_stackTargetLine < 0)
        {
            // perf script: a callchain follows its event line directly.
            if (_previousKind == RecordKind.Event && _records.Format == TraceFormat.PerfScript)
            {
                _stackTargetLine = _lastEventLine;
                _tables.Stacks.Begin();
            }
            else
            {
                // One report per run of frames; an orphan stack header was already reported by BeginStack.
                if (_previousKind is not (RecordKind.StackFrame or RecordKind.StackStart))
                    Report(line, DiagnosticSeverity.Warning, DiagnosticCodes.OrphanStackFrame,
                        "a stack frame with no event or stack header before it; ignored");
                return;
            }
        }
        _tables.Stacks.AddFrame(_tables.Strings.Intern(record.Frame));
    }

    private void CompleteStack()
    {
        if (_stackTargetLine < 0) return;
        if (_tables.Stacks.Cut > 0)
            Report(_stackTargetLine, DiagnosticSeverity.Warning, DiagnosticCodes.StackCut,
                $"the stack of this event has {StackTable.MaxFrames + _tables.Stacks.Cut} frames; only the innermost {StackTable.MaxFrames} are kept " +
                "(findings that would read the outer ones may differ)");
        int id = _tables.Stacks.Complete();
        int target = _window.FindByLine(_stackTargetLine, _window.Count);
        if (target >= 0 && id != 0)
        {
            _window.At(target).StackId = id;
            Summary.Stacks++;
        }
        _stackTargetLine = -1;
    }

    private void End()
    {
        CompleteStack();
        _ended = true;
        Summary.Bytes = _records.BytesRead;
        if (_records.ReadError is { } error)
            Report(_records.Position.Ordinal, DiagnosticSeverity.Error, DiagnosticCodes.TruncatedInput,
                $"the input ends early ({error}); the {Summary.Lines} {(_records.Position.IsLine ? "lines" : "records")} before were read");
    }

    private void Report(long line, DiagnosticSeverity severity, string code, string message) =>
        _tables.Diagnostics.Report(Path, line, severity, code, message);

    public void Dispose() => _records.Dispose();
}
