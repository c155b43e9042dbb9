using System.Collections.Immutable;
using TraceForensics.Events.Model;
using TraceForensics.Replay.Bios;
using TraceForensics.Replay.Evidence;
using TraceForensics.Replay.Pages;
using TraceForensics.Replay.Tasks;

namespace TraceForensics.Replay.Snapshots;

/// <summary>An immutable copy of the replayed state at one time, for <c>tracefx replay --at T</c> and the TUI.</summary>
public sealed record ReplaySnapshot(
    long AtNs,
    ImmutableArray<TaskSnapshot> Tasks,
    ImmutableArray<PageSnapshot> Pages,
    ImmutableArray<IoendSnapshot> Ioends,
    ImmutableArray<DeviceSnapshot> Devices)
{
    /// <summary>Tasks holding a plug (block_plug without its unplug yet) and where they plugged.</summary>
    public ImmutableArray<(int Pid, EvidenceLine Line)> Plugs { get; init; } = [];

    /// <summary>A task by pid in the kernel's words: <c>comm:pid</c>, or <c>task pid</c> when the snapshot has no such task.</summary>
    public string TaskName(int pid) => Tasks.FirstOrDefault(t => t.Pid == pid) is { } t ? $"{t.Comm}:{pid}" : $"task {pid}";

    public static ReplaySnapshot Of(ReplayState s) => new(
        s.NowNs,
        [.. s.Tasks.Tasks.Select(t => new TaskSnapshot(t.Pid, t.Comm, t.State, t.StateSinceNs, t.Wait?.Kind ?? WaitKind.None, t.Wait?.Page,
            t.Wait?.LockAddress, t.ReclaimDepth > 0,
            s.StackReadings.Get(t.SleepStackId).FaultedPageHeld is not null ? t.FaultPage : null, s.StackReadings.Get(t.SleepStackId).Wait.BlockedIn, t.SleepStackId, t.HangReport))],
        [.. s.Pages.Live.Select(p => new PageSnapshot(p.Key, p.LockHolder, p.LockObserved, p.LockRule, p.UnderWriteback, p.WritebackBy, p.Ioend?.Id))],
        [.. s.Bios.Unsubmitted.Concat(s.Bios.SubmittedNotCompleted).OrderBy(i => i.Id)
            .Select(i => new IoendSnapshot(i.Id, i.Dev, i.StartSector, i.Sectors, i.BuilderPid, i.BuilderComm, i.Pages.Count, i.FirstLine, i.Submitted))],
        [.. s.Bios.Devices.Select(d => new DeviceSnapshot(d.Dev, d.InFlight.Count, d.InFlight.Count(b => b.PluggedBy is not null), d.Oldest?.Queued,
            d.LastCompletion, d.CompletedCount))])
    {
        Plugs = [.. s.Bios.Plugged],
    };
}

public sealed record TaskSnapshot(int Pid, string Comm, TaskRunState State, long SinceNs, WaitKind Waiting, PageKey? WaitPage, ulong? WaitLock,
    bool InReclaim, PageKey? FaultPage, string? BlockedIn, int StackId, EvidenceLine? HangReport);

public sealed record PageSnapshot(PageKey Key, int? LockHolder, bool LockObserved, InferenceRule? LockRule, bool UnderWriteback, int? WritebackBy, int? IoendId);

public sealed record IoendSnapshot(int Id, DeviceNumber Dev, ulong StartSector, ulong Sectors, int BuilderPid, string BuilderComm, int Pages,
    EvidenceLine Built, EvidenceLine? Submitted);

public sealed record DeviceSnapshot(DeviceNumber Dev, int InFlight, int Plugged, EvidenceLine? OldestQueued, EvidenceLine? LastCompletion, long Completed);
