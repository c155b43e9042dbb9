using TraceForensics.Events.Model;
using TraceForensics.Ingest.Formats;

namespace TraceForensics.Events.Reading;

/// <summary>What one record says once decoded on its own, before the input's state (stacks being built, the reorder
/// window, the summary, the diagnostics) takes it in: an event with its meaning and payload, a stack frame, a
/// marker. It holds no slices of the input, so it outlives the buffer it was read from.</summary>
internal struct DecodedRecord
{
    public RecordKind Kind;
    /// <summary>Byte offset of the record in the plain input.</summary>
    public long ByteOffset;
    /// <summary>For <see cref="RecordKind.Event"/>: the event, its <see cref="TraceEvent.Source"/> not yet set.</summary>
    public TraceEvent Event;
    public PayloadProblem PayloadProblem;
    /// <summary>A stack header's or frame's function (interned), null when the record has none.</summary>
    public string? Frame;
    /// <summary>A stack header's cpu and task, or a lost-events marker's cpu.</summary>
    public int Cpu, Pid;
    /// <summary>A kernel log's call trace (it belongs to the hung-task report before it).</summary>
    public bool CallTrace;
    public long Count, Count2;
    public string? Notice;
    public string? Problem;
}

/// <summary>Why an event's payload did not decode.</summary>
internal enum PayloadProblem : byte
{
    None,
    /// <summary>The payload lacks what an event of its kind carries; the event is kept without those facts.</summary>
    Lacking,
    /// <summary>A hang report whose pid= is no pid: the event is kept as Unknown.</summary>
    HangPidInvalid,
}
