namespace TraceForensics.Ingest.Formats;

/// <summary>The kinds of fact a topology file (<c>tracefx record</c>'s <c>FILE.topology.txt</c>, format v4) states.</summary>
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
    /// <summary><c>fs MAJ:MIN type=TYPE [blocksize=N] [bdi=NAME]</c> (v2): a mounted filesystem on block devices, once: its
    /// <c>st_dev</c>, type, block size (<c>statvfs</c> <c>f_bsize</c>) and the name of its backing_dev_info (MAJ:MIN of its
    /// disk, or <c>btrfs-N</c>: fs/super.c <c>super_setup_bdi()</c>).</summary>
    Filesystem,
    /// <summary><c>btrfs FSID [bdi=NAME] [anon=MAJ:MIN] devices=MAJ:MIN,...</c> (v2): a btrfs filesystem by its fsid
    /// (<c>/sys/fs/btrfs/FSID</c>, fs/btrfs/sysfs.c), its bdi, the anonymous device of its mount (its <c>s_dev</c>,
    /// fs/super.c <c>set_anon_super()</c>) and its devices (<c>/sys/fs/btrfs/FSID/devices/*</c>).</summary>
    Btrfs,
    /// <summary><c>fusedev MAJ:MIN pid=PID comm=COMM</c> (v3): a process holding <c>/dev/fuse</c> (MAJ:MIN, misc 10:229)
    /// open, read from <c>/proc/PID/fd/*</c> (links to <c>/dev/fuse</c>; Documentation/filesystems/proc.rst, "/proc/&lt;pid&gt;/fd")
    /// and <c>/proc/PID/comm</c>: a FUSE daemon serves its connection through that file (fs/fuse/dev.c fuse_dev_read,
    /// fuse_dev_write).</summary>
    FuseDevHolder,
    /// <summary><c>stack MAJ:MIN pid=PID tid=TID comm=COMM state=S [wchan=FUNC] [syscall=NR] frames=F,F,...</c> (v4): a thread of
    /// a process holding <c>/dev/fuse</c> (MAJ:MIN) as <c>/proc/PID/task/TID/</c> showed it when the recording ended
    /// (proc(5): <c>stat</c>'s state, <c>wchan</c>, <c>syscall</c>'s first field, <c>stack</c>'s frames, innermost first).</summary>
    ThreadStack,
}

/// <summary>The typed facts of one topology line, as <see cref="TopologyTokenizer"/> parsed them: handed to the Events
/// layer through <see cref="RawRecord.Topology"/> (no text round trip: a path is only ever the value of its own field,
/// already unescaped). One instance per tokenizer, reset for each line: valid only until the next line is read.</summary>
public sealed class TopologyFact
{
    public TopologyFactKind Kind;
    /// <summary>The device the line is about: the loop device, the mounted device, the dm device, the filesystem's
    /// device; a btrfs line's anonymous device (0:0 when it has none: see <see cref="HasDevice"/>).</summary>
    public int Major, Minor;
    /// <summary>False for a btrfs line without <c>anon=</c> (a filesystem not mounted): it is about its fsid only.</summary>
    public bool HasDevice;
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
    /// <summary>fs: the block size in bytes, when the capture could read it.</summary>
    public long? BlockSize;
    /// <summary>fs, btrfs: the backing_dev_info's name as sysfs and the writeback events spell it (<c>7:2</c>,
    /// <c>btrfs-1</c>), when the capture could read it.</summary>
    public string? Bdi;
    /// <summary>btrfs: the fsid, as <c>%pU</c> prints it.</summary>
    public string? Fsid;
    /// <summary>btrfs: its block devices, as MAJ:MIN pairs.</summary>
    public (int Major, int Minor)[]? Devices;
    /// <summary>fusedev: the holder's pid (its thread group id) and comm.</summary>
    public int? Pid;
    public string? Comm;
    /// <summary>stack: the thread id, its state letter (<c>S</c>, <c>D</c>, <c>T</c>...), wchan, syscall's first field and
    /// frames (function names, offsets dropped).</summary>
    public int? Tid;
    public char? ThreadState;
    public string? Wchan, Syscall;
    public string[]? Frames;

    public void Reset()
    {
        Kind = TopologyFactKind.None;
        Major = Minor = 0;
        HasDevice = false;
        BlockSize = null;
        Bdi = Fsid = null;
        Devices = null;
        BackingFile = null;
        BackingFsMajor = BackingFsMinor = null;
        MountPoint = FsType = DmName = DmTable = LoopName = null;
        Slaves = null;
        Pid = Tid = null;
        Comm = Wchan = Syscall = null;
        ThreadState = null;
        Frames = null;
    }
}
