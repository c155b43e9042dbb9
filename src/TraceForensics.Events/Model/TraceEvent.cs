namespace TraceForensics.Events.Model;

/// <summary>One normalized event, whatever format it came from: integer nanosecond time, cpu, task, the event
/// name as the trace printed it (without subsystem), what it means, its decoded payload, its stack, and where
/// it came from (input, line, byte offset) so every finding can cite it.</summary>
public struct TraceEvent
{
    public long TimestampNs;
    /// <summary>-1 when the format has no cpu column.</summary>
    public int Cpu;
    public int Pid;
    /// <summary>-1 when unknown.</summary>
    public int Tgid;
    /// <summary>Interned; "&lt;...&gt;" when the trace did not save the comm.</summary>
    public string Comm;
    /// <summary>Interned event name as printed, without subsystem (a kprobe's chosen name).</summary>
    public string Name;
    public EventKind Kind;
    /// <summary>Id in the <see cref="StackTable"/>; 0 = no stack.</summary>
    public int StackId;
    public SourceLocation Source;
    public EventPayload Payload;

    public readonly override string ToString() =>
        $"{TraceTime.Format(TimestampNs)} [{Cpu:000}] {Comm}-{Pid}: {Name} ({Kind.Name()})";
}
