using TraceForensics.Events.Model;
using TraceForensics.Replay.Bios;
using TraceForensics.Replay.Pages;
using TraceForensics.Replay.Tasks;

namespace TraceForensics.Replay;

/// <summary>The replayed state at the current time: tasks, pages, bios and devices, plus the stacks to read them.</summary>
public sealed class ReplayState(StackTable stacks)
{
    public long NowNs { get; internal set; }
    public TaskTracker Tasks { get; } = new();
    public PageTracker Pages { get; } = new();
    public BioTracker Bios { get; } = new();
    public StackTable Stacks { get; } = stacks;
}
