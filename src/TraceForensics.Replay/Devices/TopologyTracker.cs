using TraceForensics.Events.Model;
using TraceForensics.Replay.Evidence;

namespace TraceForensics.Replay.Devices;

/// <summary>Owns the storage topology at capture time, as a topology input states it (README, "The topology file"):
/// which filesystem each loop device's backing file lives on, the mounts, the device-mapper devices, each filesystem's
/// block size and backing_dev_info, each btrfs filesystem's fsid, bdi, anonymous device and block devices. It holds for
/// the whole capture (its events are at time 0), and it is the only source of "loop L is backed by a file on F" and of
/// "bdi btrfs-1 is the filesystem 0:39 on 7:4": device numbers and names say nothing about nesting or identity, so nothing
/// here is inferred from their spelling. Without a topology input it is empty.</summary>
public sealed class TopologyTracker
{
    private readonly Dictionary<DeviceNumber, LoopBacking> _loops = new();
    private readonly Dictionary<DeviceNumber, List<MountRecord>> _mounts = new();
    private readonly Dictionary<DeviceNumber, DmRecord> _dm = new();
    private readonly Dictionary<string, DeviceNumber> _loopByName = new(StringComparer.Ordinal);
    private readonly Dictionary<DeviceNumber, FilesystemRecord> _filesystems = new();
    private readonly List<BtrfsRecord> _btrfs = new();

    /// <summary>The device of the loop the kernel names <paramref name="name"/> (<c>loop1</c>: 7:16 with max_part=15), or
    /// null when the topology does not list it.</summary>
    public DeviceNumber? LoopNamed(string name) => _loopByName.TryGetValue(name, out var dev) ? dev : null;

    /// <summary>Loop devices whose backing filesystem is known.</summary>
    public IReadOnlyCollection<LoopBacking> Loops => _loops.Values;

    /// <summary>Device-mapper devices.</summary>
    public IReadOnlyCollection<DmRecord> DmDevices => _dm.Values;

    /// <summary>True when the input held any topology.</summary>
    public bool IsKnown => _loops.Count > 0 || _mounts.Count > 0 || _dm.Count > 0 || _filesystems.Count > 0 || _btrfs.Count > 0 || _fuseDevHolders.Count > 0;

    /// <summary>The mounted filesystem whose device (<c>st_dev</c>) is <paramref name="dev"/>, or, for a named device (a
    /// bdi name, a btrfs fsid), the filesystem it names (<see cref="FilesystemNamed"/>); null when the topology has none.</summary>
    public FilesystemRecord? FilesystemOf(DeviceNumber dev) =>
        _filesystems.GetValueOrDefault(dev.IsNamed && FilesystemNamed(dev) is { } fs ? fs : dev);

    /// <summary>The block size of the filesystem on <paramref name="dev"/> (its device, bdi name or fsid), or null.</summary>
    public long? BlockSizeOf(DeviceNumber dev) => FilesystemOf(dev)?.BlockSize;

    /// <summary>The device (<c>s_dev</c>, what the filemap events print) of the filesystem a named device stands for: a
    /// bdi name that one filesystem's <c>fs</c> line or one btrfs line gives (a bdi made by fs/super.c
    /// <c>super_setup_bdi()</c> serves that superblock only), or a btrfs fsid with an anonymous device. Null for a numbered
    /// device (a disk's bdi is the disk's, shared by its partitions' filesystems), when nothing says, or when two
    /// filesystems claim the name.</summary>
    public DeviceNumber? FilesystemNamed(DeviceNumber named)
    {
        if (!named.IsNamed) return null;
        DeviceNumber? found = null;
        foreach (var f in _filesystems.Values)
            if (f.Bdi == named)
            {
                if (found is not null && found != f.Dev) return null;
                found = f.Dev;
            }
        foreach (var b in _btrfs)
            if ((b.Fsid == named || b.Bdi == named) && b.Anon is { } anon)
            {
                if (found is not null && found != anon) return null;
                found = anon;
            }
        return found;
    }

    /// <summary>The btrfs filesystem <paramref name="dev"/> names: its fsid, its bdi name or its anonymous device; null
    /// when the topology has none (or not one).</summary>
    public BtrfsRecord? BtrfsOf(DeviceNumber dev)
    {
        BtrfsRecord? found = null;
        foreach (var b in _btrfs)
            if (b.Fsid == dev || b.Bdi == dev || b.Anon == dev)
            {
                if (found is not null && found != b) return null;
                found = b;
            }
        return found;
    }

    /// <summary>The block devices under <paramref name="dev"/>: a btrfs filesystem's devices, for its fsid, bdi name or
    /// anonymous device; for a filesystem on a block device (an <c>fs</c> line of a block major), that device itself.
    /// Empty when the topology does not say.</summary>
    public IReadOnlyList<DeviceNumber> BlockDevicesUnder(DeviceNumber dev)
    {
        if (BtrfsOf(dev) is { } b) return b.Devices;
        if (FilesystemOf(dev) is { Dev: { IsNamed: false, Major: > 0 } block }) return [block];
        return [];
    }

    /// <summary>All filesystems of <c>fs</c> lines, in device order.</summary>
    public IEnumerable<FilesystemRecord> Filesystems => _filesystems.Values.OrderBy(f => f.Dev);

    /// <summary>All btrfs filesystems, in input order.</summary>
    public IReadOnlyList<BtrfsRecord> BtrfsFilesystems => _btrfs;

    /// <summary>The filesystem device <paramref name="loop"/>'s backing file lives on, the file and the evidence line;
    /// null when no topology line says so (no topology input, the loop was not bound, or its fs was not known).</summary>
    public LoopBacking? BackingFsOf(DeviceNumber loop) => _loops.GetValueOrDefault(loop);

    /// <summary>The mounts of <paramref name="dev"/> (a filesystem may be mounted at several points: bind mounts); empty
    /// when none is known.</summary>
    public IReadOnlyList<MountRecord> MountsOf(DeviceNumber dev) => _mounts.TryGetValue(dev, out var m) ? m : [];

    /// <summary>All mounts, in input order per device.</summary>
    public IEnumerable<MountRecord> Mounts => _mounts.Values.SelectMany(m => m);

    /// <summary>The device-mapper device <paramref name="dev"/>, or null.</summary>
    public DmRecord? DmOf(DeviceNumber dev) => _dm.GetValueOrDefault(dev);

    /// <summary>A <see cref="EventKind.LoopBacking"/> event: kept when it names the backing filesystem's device.</summary>
    public void LoopBacking(in TraceEvent e)
    {
        if (e.Payload.Dev is { } named && e.Payload.Topology?.LoopName is { } name) _loopByName[name] = named;
        if (e.Payload.Dev is not { } loop || e.Payload.Topology is not { BackingFsDev: { } fs, BackingFile: { } file }) return;
        _loops[loop] = new LoopBacking(loop, fs, file, EvidenceLine.Of(e));
    }

    /// <summary>A <see cref="EventKind.Mount"/> event.</summary>
    public void Mount(in TraceEvent e)
    {
        if (e.Payload.Dev is not { } dev || e.Payload.Topology is not { MountPoint: { } point, FsType: { } type }) return;
        if (!_mounts.TryGetValue(dev, out var list)) _mounts[dev] = list = new List<MountRecord>();
        list.Add(new MountRecord(dev, point, type, EvidenceLine.Of(e)));
    }

    /// <summary>A <see cref="EventKind.DmDevice"/> event.</summary>
    public void DmDevice(in TraceEvent e)
    {
        if (e.Payload.Dev is not { } dev || e.Payload.Topology is not { DmName: { } name } facts) return;
        _dm[dev] = new DmRecord(dev, name, facts.DmSlaves, EvidenceLine.Of(e)) { Table = facts.DmTable };
    }

    /// <summary>A <see cref="EventKind.Filesystem"/> event.</summary>
    public void Filesystem(in TraceEvent e)
    {
        if (e.Payload.Dev is not { } dev || e.Payload.Topology is not { FsType: { } type } facts) return;
        _filesystems[dev] = new FilesystemRecord(dev, type, facts.BlockSize, facts.Bdi, EvidenceLine.Of(e));
    }

    /// <summary>A <see cref="EventKind.BtrfsFilesystem"/> event.</summary>
    public void Btrfs(in TraceEvent e)
    {
        if (e.Payload.Topology is not { Fsid: { } fsid } facts) return;
        _btrfs.Add(new BtrfsRecord(fsid, facts.Bdi, e.Payload.Dev, facts.Devices, EvidenceLine.Of(e)));
    }

    private List<(int Pid, string? Comm, EvidenceLine Evidence)> _fuseDevHolders = new();

    /// <summary>The processes that held /dev/fuse open at capture time (FUSE daemons), in input order.</summary>
    public IReadOnlyList<(int Pid, string? Comm, EvidenceLine Evidence)> FuseDevHolders => _fuseDevHolders;

    /// <summary>A <see cref="EventKind.FuseDevHolder"/> event.</summary>
    public void FuseDevHolder(in TraceEvent e)
    {
        if (e.Payload.OtherPid is int pid) _fuseDevHolders.Add((pid, e.Payload.OtherComm, EvidenceLine.Of(e)));
    }

    private Dictionary<int, ThreadStackRecord> _threadStacks = new();

    /// <summary>A thread of a /dev/fuse holder as /proc showed it when the recording ended (topology v4 <c>stack</c>), by
    /// tid; null when the topology has none.</summary>
    public ThreadStackRecord? ThreadStackOf(int tid) => _threadStacks.GetValueOrDefault(tid);

    /// <summary>The threads the topology gives a stack of, by tid.</summary>
    public IReadOnlyCollection<ThreadStackRecord> ThreadStacks => _threadStacks.Values;

    /// <summary>A <see cref="EventKind.ThreadStack"/> event.</summary>
    public void ThreadStack(in TraceEvent e)
    {
        if (e.Payload.OtherPid is not int tid || e.Payload.Topology is not { ThreadState: char state } facts) return;
        _threadStacks[tid] = new ThreadStackRecord(tid, facts.ThreadGroup ?? tid, e.Payload.OtherComm, state, facts.Wchan, facts.Syscall, facts.Frames, EvidenceLine.Of(e));
    }

    /// <summary>A deep copy (records are immutable).</summary>
    internal TopologyTracker Clone()
    {
        var clone = new TopologyTracker();
        foreach (var (dev, l) in _loops) clone._loops[dev] = l;
        foreach (var (dev, m) in _mounts) clone._mounts[dev] = [.. m];
        foreach (var (dev, d) in _dm) clone._dm[dev] = d;
        foreach (var (name, dev) in _loopByName) clone._loopByName[name] = dev;
        foreach (var (dev, f) in _filesystems) clone._filesystems[dev] = f;
        clone._btrfs.AddRange(_btrfs);
        clone._fuseDevHolders = [.. _fuseDevHolders];
        clone._threadStacks = new(_threadStacks);
        return clone;
    }
}

/// <summary>A thread as /proc showed it when the recording ended (topology v4 <c>stack</c>): tid, process, comm, state
/// letter, wchan, syscall's first field, kernel stack (functions, innermost first), and its line.</summary>
public sealed record ThreadStackRecord(int Tid, int Pid, string? Comm, char State, string? Wchan, string? Syscall,
    System.Collections.Immutable.ImmutableArray<string> Frames, EvidenceLine Evidence);
