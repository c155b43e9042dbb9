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

    internal InputReader(OpenedInput input, TraceFormat format, int inputIndex, InputSummary summary, EventTables tables,
                       Lazy<DecodeWorkers>? workers = null, long parallelAfterBytes = 0)
        : this(RecordSources.Open(input, format), input.Compression, inputIndex, summary, tables, workers, parallelAfterBytes)
    {
    }

    /// <summary>With <paramref name="workers"/>, a text input whose lines are tokenized each on its own is
    /// decoded in runs of lines on their threads (<see cref="LineRunPipeline"/>) once
    /// <paramref name="parallelAfterBytes"/> are read; what it yields is the same.</summary>
    internal InputReader(IRecordSource records, Compression compression, int inputIndex, InputSummary summary, EventTables tables,
                       Lazy<DecodeWorkers>? workers = null, long parallelAfterBytes = 0)
    {
        _records = records;
        _tables = tables;
        _inputIndex = inputIndex;
        Summary = summary;
        Summary.Format = records.Format;
        Summary.Compression = compression;
        if (workers is not null && records is TraceRecordReader { ReadsLineRuns: true })
        {
            _workers = workers;
            _parallelAfterBytes = parallelAfterBytes;
        }
    }

    private DecodedRecord _decoded;
    private readonly Lazy<DecodeWorkers>? _workers;
    private readonly long _parallelAfterBytes;
    private LineRunPipeline? _runs; // or decoding runs of lines on several threads
    private DecodedLines? _run;
    private int _runNext;
    private long _line; // the line (record ordinal) last taken in

    public InputSummary Summary { get; }

    /// <summary>True when runs of this input's lines are decoded on the session's decoding threads (past the bytes read
    /// one line after the other).</summary>
    internal bool DecodesInRuns => _workers is not null;

    /// <summary>True once runs of lines are decoded on the decoding threads.</summary>
    internal bool ReadsInRuns => _runs is not null;

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
        _window.TakeOldest(out e);
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
        long oldest = _window.OldestLine;
        return oldest == _lastEventLine || oldest == _stackTargetLine;
    }

    /// <summary>Takes in one record; false at the end of the input.</summary>
    private bool ReadRecord()
    {
        if (_runs is null && _workers is not null && _records.BytesRead >= _parallelAfterBytes)
        {
            _runs = new LineRunPipeline((TraceRecordReader)_records, _tables, _workers.Value); // on from the line last read
            _window.Recycle = _runs.Return;
        }
        if (_runs is null)
        {
            var record = new RawRecord();
            if (!_records.Read(ref record)) return false;
            _line = _records.Position.Ordinal;
            _tables.ThreadDecoder.Decode(ref record, _records.Position.ByteOffset, ref _decoded);
            TakeIn(ref _decoded);
            return true;
        }
        while (_run is null || _runNext == _run.Count)
        {
            if (_run is not null)
            {
                _runs.TakenIn(_run);
                _window.Retire(_run);
            }
            _run = null;
            if (!_runs.Next(out var run)) return false;
            _run = run;
            _runNext = 0;
        }
        _line++; // one record a line
        int index = _runNext++;
        TakeIn(ref _run.Records[index], _run, index);
        return true;
    }

    /// <summary>Takes a decoded record into the input's state: stacks, the reorder window, the summary, diagnostics. A
    /// record of a <paramref name="run"/> (at <paramref name="index"/>) waits in the window where it is, another is copied.</summary>
    private void TakeIn(ref DecodedRecord record, DecodedLines? run = null, int index = 0)
    {
        long line = _line;
        Summary.Lines = line;
        var kind = record.Kind;
        if (record.Notice is { } notice) Report(line, DiagnosticSeverity.Info, DiagnosticCodes.WallClock, notice);
        if (!_stringsFullSaid && _tables.Strings.Full) StringsFull(line);
        switch (kind)
        {
            case RecordKind.Event:
                CompleteStack();
                AddEvent(ref record, line, run, index);
                break;
            case RecordKind.StackStart:
                CompleteStack();
                BeginStack(ref record, line);
                // a stack with no header line (ARM's unwinder): its first frame starts it
                if (record.Frame is not null && _stackTargetLine >= 0) AddFrame(ref record, line);
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
                AddGap(record.Cpu, record.Count, line, record.ByteOffset);
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
    }

    private void AddEvent(ref DecodedRecord record, long line, DecodedLines? run, int index)
    {
        ref var e = ref record.Event;
        e.Source = new SourceLocation(_inputIndex, line, record.ByteOffset);
        if (record.PayloadProblem == PayloadProblem.HangPidInvalid)
            Report(line, DiagnosticSeverity.Warning, DiagnosticCodes.PayloadMismatch,
                $"{e.Name}: its pid= is not a pid the kernel gives (0 to {Ingest.Formats.AsciiSpan.PidMaxLimit - 1}); the hang report is skipped");
        else if (record.PayloadProblem == PayloadProblem.Lacking)
            Report(line, DiagnosticSeverity.Warning, DiagnosticCodes.PayloadMismatch,
                $"{e.Name}: payload lacks what a {e.Kind.Name()} event carries; the event is kept without those facts");
        if (run is null) _window.Add(e);
        else _window.Add(run, index);
        _lastEventLine = line;
        Summary.Events++;
        if (e.TimestampNs < Summary.FirstTimestampNs) Summary.FirstTimestampNs = e.TimestampNs;
        if (e.TimestampNs > Summary.LastTimestampNs) Summary.LastTimestampNs = e.TimestampNs;
    }

    /// <summary>Marks a gap in the stream where the ring buffer lost events, at the time of the newest event read.</summary>
    private void AddGap(int cpu, long lost, long line, long byteOffset)
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
            Source = new SourceLocation(_inputIndex, line, byteOffset),
        };
        gap.Payload.Count = lost;
        _window.Add(gap);
    }

    private void BeginStack(ref DecodedRecord record, long line)
    {
        // ftrace: the previous event of the same task on the same cpu; a kernel log's call trace: the report before it.
        // A kernel log's call trace belongs to its hung-task report, not to the report's detail lines.
        int target = _window.FindNewest(record.Cpu, record.Pid, record.CallTrace ? EventKind.ProcessHang : EventKind.Unknown);
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

    private void AddFrame(ref DecodedRecord record, long line)
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
        _tables.Stacks.AddFrame(record.Frame!);
    }

    private void CompleteStack()
    {
        if (_stackTargetLine < 0) return;
        if (_tables.Stacks.Cut > 0)
            Report(_stackTargetLine, DiagnosticSeverity.Warning, DiagnosticCodes.StackCut,
                $"the stack of this event has {_tables.Stacks.MaxFrames + _tables.Stacks.Cut} frames; only the innermost {_tables.Stacks.MaxFrames} are kept " +
                $"({InputLimits.Describe(nameof(InputLimits.MaxStackFrames), _tables.Stacks.MaxFrames)}; findings that would read the outer ones may differ)");
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
            Report(_runs is null ? _records.Position.Ordinal : _line, DiagnosticSeverity.Error, DiagnosticCodes.TruncatedInput,
                $"the input ends early ({error}); the {Summary.Lines} {(_records.Position.IsLine ? "lines" : "records")} before were read");
    }

    private bool _stringsFullSaid;

    /// <summary>The session's interner holds <see cref="InputLimits.MaxInternedStrings"/> strings: said once per input, at
    /// the first record taken in after it filled (records are decoded ahead on other threads, so the one that filled it
    /// may be a little before).</summary>
    private void StringsFull(long line)
    {
        _stringsFullSaid = true;
        Report(line, DiagnosticSeverity.Warning, DiagnosticCodes.LimitReached,
            $"the session's string table is full ({InputLimits.Describe(nameof(InputLimits.MaxInternedStrings), _tables.Strings.MaxEntries)}): " +
            "names first seen from here on are read but not shared, each costing memory of its own");
    }

    private void Report(long line, DiagnosticSeverity severity, string code, string message) =>
        _tables.Diagnostics.Report(Path, line, severity, code, message);

    public void Dispose()
    {
        _runs?.Dispose();
        _records.Dispose();
    }
}
