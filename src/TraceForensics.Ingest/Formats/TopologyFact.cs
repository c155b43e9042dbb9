namespace TraceForensics.Ingest.Formats;

/// <summary>The kinds of fact a topology file (<c>tracefx record</c>'s <c>FILE.topology.txt</c>, format v1) states.</summary>
public enum TopologyFactKind : byte
{
    None,
    /// <summary><c>loop MAJ:MIN backing_file=PATH [fs=MAJ:MIN]</c>: a bound loop device, its backing file
    /// (<c>/sys/block/loopN/loop/backing_file</c>, drivers/block/loop.c <c>loop_attr_backing_file_show()</c>) and the
    /// device of the filesystem that file lives on (its <c>st_dev</c>).</summary>
    Loop,
    /// <summary><c>mount MAJ:MIN MOUNT_POINT FSTYPE</c>: a mount of <c>/proc/self/mountinfo</c> (fields 3, 5 and the
    /// filesystem type after the separator; Documentation/filesystems/proc.rst, "/proc/&lt;pid&gt;/mountinfo").</summary>
    Mount,
    /// <summary><c>dm MAJ:MIN name=NAME slaves=MAJ:MIN,...</c>: a device-mapper device (<c>/sys/block/dm-N/dm/name</c>,
    /// <c>/sys/block/dm-N/slaves/*/dev</c>; Documentation/ABI/testing/sysfs-block-dm).</summary>
    DmDevice,
}

/// <summary>The typed facts of one topology line, as <see cref="TopologyTokenizer"/> parsed them: handed to the Events
/// layer through <see cref="RawRecord.Topology"/> (no text round trip: a path is only ever the value of its own field,
/// already unescaped). One instance per tokenizer, reset for each line: valid only until the next line is read.</summary>
public sealed class TopologyFact
{
    public TopologyFactKind Kind;
    /// <summary>The device the line is about: the loop device, the mounted device, the dm device.</summary>
    public int Major, Minor;
    /// <summary>loop: the backing file's path (unescaped).</summary>
    public string? BackingFile;
    /// <summary>loop: the device of the filesystem the backing file lives on; null when the capture could not tell.</summary>
    public int? BackingFsMajor, BackingFsMinor;
    /// <summary>mount: the mount point (unescaped).</summary>
    public string? MountPoint;
    /// <summary>mount: the filesystem type (<c>xfs</c>, <c>ext4</c>).</summary>
    public string? FsType;
    /// <summary>loop: the kernel's name of the loop device (<c>loop1</c>), which its workqueue shares.</summary>
    public string? LoopName;
    /// <summary>dm: the device-mapper name (<c>vg-root</c>).</summary>
    public string? DmName;
    /// <summary>dm: the devices under it, as MAJ:MIN pairs.</summary>
    public (int Major, int Minor)[]? Slaves;
    /// <summary>dm: its table, one target a line (<c>start length type args</c>), when the capture had dmsetup.</summary>
    public string? DmTable;

    public void Reset()
    {
        Kind = TopologyFactKind.None;
        Major = Minor = 0;
        BackingFile = null;
        BackingFsMajor = BackingFsMinor = null;
        MountPoint = FsType = DmName = DmTable = LoopName = null;
        Slaves = null;
    }
}
