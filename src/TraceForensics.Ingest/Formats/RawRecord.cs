namespace TraceForensics.Ingest.Formats;

/// <summary>One tokenized line: slices of the line's bytes plus the numbers parsed from them. Valid only until
/// the next line is read (like a Utf8JsonReader token); the Events layer copies what it keeps.</summary>
public ref struct RawRecord
{
    public RecordKind Kind;
    /// <summary>The task's comm as printed (may contain spaces, dashes, slashes; <c>&lt;...&gt;</c> when not saved).</summary>
    public ReadOnlySpan<byte> Comm;
    public int Pid;
    /// <summary>Thread-group id when the trace shows it, else -1.</summary>
    public int Tgid;
    /// <summary>CPU number, or -1 when the line has none.</summary>
    public int Cpu;
    public long TimestampNs;
    /// <summary>The irq-info flags column (<c>d..2.</c>), empty when absent.</summary>
    public ReadOnlySpan<byte> Flags;
    /// <summary>The subsystem of the event when the line names it (perf's <c>sched:</c>), else empty.</summary>
    public ReadOnlySpan<byte> Subsystem;
    /// <summary>The event name without subsystem (<c>sched_switch</c>, a kprobe's chosen name).</summary>
    public ReadOnlySpan<byte> Event;
    public ReadOnlySpan<byte> Payload;
    /// <summary>A kernel-log report line's typed facts (<see cref="KernelLogTokenizer"/>), null for the other formats,
    /// whose payload is <see cref="Payload"/> text.</summary>
    public KernelLogReport? Report;
    /// <summary>A topology line's typed facts (<see cref="TopologyTokenizer"/>), null for the other formats.</summary>
    public TopologyFact? Topology;
    /// <summary>A trace.dat event read typed: its record's bytes and format, the payload text rendered only when asked for
    /// (<see cref="Payload"/> is then empty); null for the other formats.</summary>
    public TraceDat.TraceDatEvent? Binary;
    /// <summary>For <see cref="RecordKind.StackFrame"/>: the function, without offset or address.</summary>
    public ReadOnlySpan<byte> Frame;
    /// <summary>Lost-event count, or entries in buffer.</summary>
    public long Count;
    /// <summary>Entries written (for <see cref="RecordKind.BufferEntries"/>).</summary>
    public long Count2;
    /// <summary>A fact about the input worth saying once (a kernel log's clock is wall time), whatever the line is; null
    /// for most lines.</summary>
    public string? Notice;
    /// <summary>Why a line is <see cref="RecordKind.Unrecognized"/>.</summary>
    public string? Problem;

    public void Reset()
    {
        this = default;
        Pid = -1;
        Tgid = -1;
        Cpu = -1;
    }
}
