using TraceForensics.Events.Model;
using TraceForensics.Replay.Evidence;

namespace TraceForensics.Replay.Devices;

/// <summary>Owns the storage topology at capture time, as a topology input states it (README, "The topology file"):
/// which filesystem each loop device's backing file lives on, the mounts, the device-mapper devices. It holds for the
/// whole capture (its events are at time 0), and it is the only source of "loop L is backed by a file on F": device
/// numbers say nothing about nesting, so nothing here is inferred from them. Without a topology input it is empty.</summary>
public sealed class TopologyTracker
{
    private readonly Dictionary<DeviceNumber, LoopBacking> _loops = new();
    private readonly Dictionary<DeviceNumber, List<MountRecord>> _mounts = new();
    private readonly Dictionary<DeviceNumber, DmRecord> _dm = new();
    private readonly Dictionary<string, DeviceNumber> _loopByName = new(StringComparer.Ordinal);

    /// <summary>The device of the loop the kernel names <paramref name="name"/> (<c>loop1</c>: 7:16 with max_part=15), or
    /// null when the topology does not list it.</summary>
    public DeviceNumber? LoopNamed(string name) => _loopByName.TryGetValue(name, out var dev) ? dev : null;

    /// <summary>Loop devices whose backing filesystem is known.</summary>
    public IReadOnlyCollection<LoopBacking> Loops => _loops.Values;

    /// <summary>Device-mapper devices.</summary>
    public IReadOnlyCollection<DmRecord> DmDevices => _dm.Values;

    /// <summary>True when the input held any topology.</summary>
    public bool IsKnown => _loops.Count > 0 || _mounts.Count > 0 || _dm.Count > 0;

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

    /// <summary>The block size of the filesystem on <paramref name="dev"/>, when the topology's fs line recorded it.</summary>
    public int? BlockSizeOf(DeviceNumber dev) => null;

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

    /// <summary>A deep copy (records are immutable).</summary>
    internal TopologyTracker Clone()
    {
        var clone = new TopologyTracker();
        foreach (var (dev, l) in _loops) clone._loops[dev] = l;
        foreach (var (dev, m) in _mounts) clone._mounts[dev] = [.. m];
        foreach (var (dev, d) in _dm) clone._dm[dev] = d;
        foreach (var (name, dev) in _loopByName) clone._loopByName[name] = dev;
        return clone;
    }
}
