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
    /// <summary><see cref="EventKind.Mount"/>, <see cref="EventKind.Filesystem"/>: the filesystem type (<c>xfs</c>).</summary>
    public string? FsType { get; init; }
    /// <summary><see cref="EventKind.DmDevice"/>: the device-mapper name (<c>/sys/block/dm-N/dm/name</c>).</summary>
    public string? DmName { get; init; }
    /// <summary><see cref="EventKind.DmDevice"/>: the devices under it (<c>/sys/block/dm-N/slaves/*/dev</c>).</summary>
    public ImmutableArray<DeviceNumber> DmSlaves { get; init; } = [];
    /// <summary><see cref="EventKind.DmDevice"/>: its table, one target a line, when the capture had it.</summary>
    public string? DmTable { get; init; }
    /// <summary><see cref="EventKind.Filesystem"/>: its block size in bytes (<c>statvfs</c> <c>f_bsize</c>), when known.</summary>
    public long? BlockSize { get; init; }
    /// <summary><see cref="EventKind.Filesystem"/>, <see cref="EventKind.BtrfsFilesystem"/>: its backing_dev_info as the
    /// writeback events name it: numbered (<c>7:2</c>, its disk's) or named (<c>btrfs-1</c>); null when not known.</summary>
    public DeviceNumber? Bdi { get; init; }
    /// <summary><see cref="EventKind.BtrfsFilesystem"/>: its fsid as the btrfs events name it, a named device.</summary>
    public DeviceNumber? Fsid { get; init; }
    /// <summary><see cref="EventKind.BtrfsFilesystem"/>: its block devices (<c>/sys/fs/btrfs/FSID/devices/*</c>).</summary>
    public ImmutableArray<DeviceNumber> Devices { get; init; } = [];
    /// <summary><see cref="EventKind.ThreadStack"/>: the thread's process (thread group id).</summary>
    public int? ThreadGroup { get; init; }
    /// <summary><see cref="EventKind.ThreadStack"/>: its state letter as /proc/PID/stat shows it (<c>S</c>, <c>D</c>, <c>T</c>).</summary>
    public char? ThreadState { get; init; }
    /// <summary><see cref="EventKind.ThreadStack"/>: /proc/PID/wchan (the function it sleeps in), when given.</summary>
    public string? Wchan { get; init; }
    /// <summary><see cref="EventKind.ThreadStack"/>: /proc/PID/syscall's first field (the system call number it is blocked
    /// in, <c>-1</c> none, <c>running</c>), when given.</summary>
    public string? Syscall { get; init; }
    /// <summary><see cref="EventKind.ThreadStack"/>: its kernel stack's functions, innermost first.</summary>
    public ImmutableArray<string> Frames { get; init; } = [];
}
