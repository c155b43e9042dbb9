using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Capture;
using TraceForensics.Events.Model;

namespace TraceForensics.Cli.Watch;

/// <summary>Whether the filesystem an incident would be written to is itself in the incident's chain, decided before
/// anything is written there: a write to a frozen filesystem sleeps until the thaw (fs/super.c <c>sb_start_write()</c>,
/// taken by <c>mnt_want_write()</c> for mkdir and by the write paths), and a write to a filesystem whose device waits on
/// the chain waits with it. The output's filesystem (its <c>st_dev</c>) is in the chain when that device, or a device it
/// rests on, is a device the finding names:
/// <list type="bullet">
/// <item>a loop device rests on the filesystem its backing file lives on (drivers/block/loop.c <c>lo_rw_aio()</c>
/// writes through that file; <c>/sys/block/loopN/loop/backing_file</c>, <see cref="StorageTopology.Loop.BackingFs"/>);</item>
/// <item>a device-mapper device rests on the devices under it (<c>/sys/block/dm-N/slaves</c>,
/// Documentation/ABI/testing/sysfs-block-dm);</item>
/// <item>a btrfs mount's anonymous device is its filesystem, which the events name by fsid or bdi, on its devices
/// (<see cref="StorageTopology.Btrfs"/>);</item>
/// </list>
/// and the devices a finding names are those of its chain's nodes (the frozen filesystem, a device, its bios, the
/// device of a page's filesystem, a FUSE connection) and of its root.</summary>
internal static class OutputInChain
{
    /// <summary>The device of the chain (<c>MAJ:MIN</c>) that the filesystem on <paramref name="outputDev"/> is, or rests on
    /// (through loops' backing filesystems and dm devices' slaves in <paramref name="topology"/>, which name devices as
    /// <c>MAJ:MIN</c> too); null when it is none of them.</summary>
    /// <summary><see cref="Through(string, Finding, StorageTopology)"/> for the filesystem on <paramref name="outputDev"/>
    /// (null: not known, so not in the chain), the topology read on a worker bounded by
    /// <see cref="IncidentDirectory.ProbeTimeout"/> (reading /sys and /proc may wait on the hung device); null also when
    /// that did not end in time.</summary>
    public static string? ThroughBounded(string? outputDev, Finding finding, Func<StorageTopology> topology) =>
        outputDev is { } dev && BoundedIo.Run(_ => Through(dev, finding, topology()), IncidentDirectory.ProbeTimeout, out var through)
            ? through : null;

    public static string? Through(string outputDev, Finding finding, StorageTopology topology)
    {
        var named = Devices(finding).Select(d => d.ToString()).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var next = new Queue<string>([outputDev]);
        while (next.TryDequeue(out var dev))
        {
            if (!seen.Add(dev)) continue;
            if (named.Contains(dev)) return dev;
            foreach (var l in topology.Loops)
                if (l.Dev == dev && l.BackingFs is { } backing) next.Enqueue(backing);
            foreach (var d in topology.DmDevices)
                if (d.Dev == dev)
                    foreach (var s in d.Slaves) next.Enqueue(s);
            // A btrfs mount's st_dev is its anonymous device; the chain may name it by its bdi, its fsid or its devices.
            foreach (var b in topology.BtrfsFilesystems)
                if (b.Anon == dev)
                    foreach (var n in b.Devices.Append(b.Fsid).Append(b.Bdi)) if (n is not null) next.Enqueue(n);
        }
        return null;
    }

    /// <summary>The devices a finding's chain and root name.</summary>
    public static HashSet<DeviceNumber> Devices(Finding finding)
    {
        var devices = new HashSet<DeviceNumber>();
        foreach (var node in finding.Chain.SelectMany(e => new[] { e.From, e.To }).Append(finding.Root))
            if (DeviceOf(node) is { } d) devices.Add(d);
        return devices;
    }

    private static DeviceNumber? DeviceOf(WaitNode? node) => node switch
    {
        FrozenFsNode f => f.Dev,
        DeviceNode d => d.Dev,
        BioNode b => b.Dev,
        StalledBiosNode s => s.Dev,
        FuseConnectionNode c => c.Dev,
        PageLockNode { Page: { } p } => p.Dev,
        WritebackNode { Page: { } p } => p.Dev,
        _ => null,
    };
}
