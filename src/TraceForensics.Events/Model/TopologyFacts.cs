using System.Collections.Immutable;

namespace TraceForensics.Events.Model;

/// <summary>What a storage-topology event says beyond its device (<see cref="EventPayload.Dev"/>): one field per fact,
/// each set only by the kind it belongs to (null otherwise). Read from a topology file written at capture time
/// (README, "The topology file").</summary>
public sealed record TopologyFacts
{
    /// <summary><see cref="EventKind.LoopBacking"/>: the loop device's backing file
    /// (<c>/sys/block/loopN/loop/backing_file</c>, drivers/block/loop.c).</summary>
    public string? BackingFile { get; init; }
    /// <summary><see cref="EventKind.LoopBacking"/>: the kernel's name of the loop (<c>loop1</c>), which its workqueue shares.</summary>
    public string? LoopName { get; init; }
    /// <summary><see cref="EventKind.LoopBacking"/>: the device of the filesystem the backing file lives on (its
    /// <c>st_dev</c>); null when the capture could not tell.</summary>
    public DeviceNumber? BackingFsDev { get; init; }
    /// <summary><see cref="EventKind.Mount"/>: the mount point.</summary>
    public string? MountPoint { get; init; }
    /// <summary><see cref="EventKind.Mount"/>: the filesystem type (<c>xfs</c>).</summary>
    public string? FsType { get; init; }
    /// <summary><see cref="EventKind.DmDevice"/>: the device-mapper name (<c>/sys/block/dm-N/dm/name</c>).</summary>
    public string? DmName { get; init; }
    /// <summary><see cref="EventKind.DmDevice"/>: the devices under it (<c>/sys/block/dm-N/slaves/*/dev</c>).</summary>
    public ImmutableArray<DeviceNumber> DmSlaves { get; init; } = [];
    /// <summary><see cref="EventKind.DmDevice"/>: its table, one target a line, when the capture had it.</summary>
    public string? DmTable { get; init; }
}
