namespace TraceForensics.Scenarios;

/// <summary>One event of a scenario, format-neutral: offset from the scenario's start (µs), task, cpu, irq flags,
/// the tracepoint (subsystem and name) or kprobe, its ftrace payload, and for sched_switch into D the stack
/// (innermost first, function+offset/size as the kernel prints it).</summary>
public sealed record ScenarioEvent(long OffsetUs, string Comm, int Pid, int Cpu, string Flags, string Subsystem, string Name, string Payload)
{
    public IReadOnlyList<string> Stack { get; init; } = [];
    /// <summary>How perf prints a kprobe payload (addresses instead of symbols); null = same as ftrace.</summary>
    public string? PerfPayload { get; init; }
    /// <summary>The event name perf prints when it differs (a kretprobe is <c>probe:func__return</c>); null = same.</summary>
    public string? PerfName { get; init; }
}
