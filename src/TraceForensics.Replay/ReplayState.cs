using TraceForensics.Events.Model;
using TraceForensics.Ingest.Input;
using TraceForensics.Replay.Bios;
using TraceForensics.Replay.Diagnostics;
using TraceForensics.Replay.Devices;
using TraceForensics.Replay.Filesystems;
using TraceForensics.Replay.Fuse;
using TraceForensics.Replay.Pages;
using TraceForensics.Replay.Tasks;
using TraceForensics.Replay.Workqueues;

namespace TraceForensics.Replay;

/// <summary>The replayed state at the current time: tasks, pages, bios and devices, frozen filesystems, the work items
/// kworkers run, the storage topology, plus the stacks to read them.</summary>
public sealed class ReplayState
{
    /// <summary>A state before any event; <paramref name="limits"/> bounds what the replay keeps (the defaults when null).</summary>
    public ReplayState(StackTable stacks, InputLimits? limits = null)
        : this(stacks, limits ?? InputLimits.Default, new LimitsReached()) { }

    private ReplayState(StackTable stacks, InputLimits limits, LimitsReached reached)
        : this(stacks, limits, reached, new TaskTracker(), new PageTracker(), new BioTracker(), new FreezeTracker(),
               new WorkqueueTracker(limits.MaxQueuedWork, reached), new TopologyTracker(), new BlockMapTracker(), new FuseTracker()) { }

    private ReplayState(StackTable stacks, InputLimits limits, LimitsReached reached, TaskTracker tasks, PageTracker pages, BioTracker bios,
                        FreezeTracker freezes, WorkqueueTracker workqueues, TopologyTracker topology, BlockMapTracker blockMaps, FuseTracker fuse)
    {
        Limits = limits;
        LimitsReached = reached;
        Fuse = fuse;
        BlockMaps = blockMaps;
        Stacks = stacks;
        StackReadings = new StackReadings(stacks);
        Tasks = tasks;
        Pages = pages;
        Bios = bios;
        Freezes = freezes;
        Workqueues = workqueues;
        Topology = topology;
    }

    public long NowNs { get; internal set; }
    /// <summary>The bounds on what the replay keeps.</summary>
    public InputLimits Limits { get; }
    /// <summary>The bounds the replay reached, by input (drained into the session's diagnostics after the reading).</summary>
    public LimitsReached LimitsReached { get; }
    public TaskTracker Tasks { get; }
    public PageTracker Pages { get; }
    public BioTracker Bios { get; }
    public FreezeTracker Freezes { get; }
    public WorkqueueTracker Workqueues { get; }
    /// <summary>The storage topology at capture time (loop backings, mounts, dm devices), from a topology input.</summary>
    public TopologyTracker Topology { get; }
    public StackTable Stacks { get; }
    /// <summary>FUSE connections: requests queued and not answered, the daemon threads that read and answer them.</summary>
    public FuseTracker Fuse { get; }
    /// <summary>Where filesystems said file blocks are on disk (ext4's block mappers), and their block sizes.</summary>
    public BlockMapTracker BlockMaps { get; }

    /// <summary>The stacks as the stack tables read them, each once (<see cref="StackReader"/>).</summary>
    public StackReadings StackReadings { get; }

    /// <summary>The loop device whose work a workqueue (<c>loopN</c>, or a report's "loopN fn") is: as the topology names
    /// the loop when it lists it, else 7:N (the default max_part=0).</summary>
    public DeviceNumber? LoopOfWorkqueue(string? workqueue)
    {
        if (WorkItemRun.LoopOf(workqueue) is not { } plain) return null;
        if (!Topology.IsKnown) return plain;
        int space = workqueue!.IndexOf(' ');
        return Topology.LoopNamed(space < 0 ? workqueue : workqueue[..space]) ?? plain;
    }

    /// <summary>A deep copy a replay can go on from (a checkpoint), sharing only the append-only stack table. Listeners
    /// are not copied.</summary>
    public ReplayState Clone()
    {
        var bios = Bios.Clone(out var ioends);
        return new ReplayState(Stacks, Limits, LimitsReached, Tasks.Clone(), Pages.Clone(ioends), bios, Freezes.Clone(), Workqueues.Clone(), Topology.Clone(), BlockMaps.Clone(), Fuse.Clone()) { NowNs = NowNs };
    }
}
