using TraceForensics.Events.Model;
using TraceForensics.Ingest.Formats;

namespace TraceForensics.Events.Decoding;

/// <summary>Maps the typed facts the topology reader parsed from a line (<see cref="TopologyFact"/>) into the event's
/// payload: the device into <see cref="EventPayload.Dev"/>, the rest into <see cref="EventPayload.Topology"/>. Strings
/// are interned.</summary>
internal static class TopologyPayloads
{
    /// <summary>Maps; false when the fact is not of the event's kind.</summary>
    public static bool Map(EventKind kind, TopologyFact f, ref EventPayload p, Utf8Interner strings)
    {
        p.Dev = f.HasDevice ? new DeviceNumber(f.Major, f.Minor) : null;
        switch (kind)
        {
            case EventKind.LoopBacking when f.Kind == TopologyFactKind.Loop:
                p.Topology = new TopologyFacts
                {
                    BackingFile = Intern(strings, f.BackingFile),
                    LoopName = Intern(strings, f.LoopName),
                    BackingFsDev = f.BackingFsMajor is int major && f.BackingFsMinor is int minor ? new DeviceNumber(major, minor) : null,
                };
                return true;
            case EventKind.Mount when f.Kind == TopologyFactKind.Mount:
                p.Topology = new TopologyFacts { MountPoint = Intern(strings, f.MountPoint), FsType = Intern(strings, f.FsType) };
                return true;
            case EventKind.DmDevice when f.Kind == TopologyFactKind.DmDevice:
                p.Topology = new TopologyFacts
                {
                    DmName = Intern(strings, f.DmName),
                    DmSlaves = f.Slaves is { } slaves ? [.. slaves.Select(s => new DeviceNumber(s.Major, s.Minor))] : [],
                    DmTable = f.DmTable,
                };
                return true;
            case EventKind.Filesystem when f.Kind == TopologyFactKind.Filesystem:
                p.Topology = new TopologyFacts { FsType = Intern(strings, f.FsType), BlockSize = f.BlockSize, Bdi = Bdi(f.Bdi, strings) };
                return true;
            case EventKind.BtrfsFilesystem when f.Kind == TopologyFactKind.Btrfs:
                p.Topology = new TopologyFacts
                {
                    Fsid = f.Fsid is { } fsid ? DeviceNumber.Named(strings.Intern(fsid)) : null,
                    Bdi = Bdi(f.Bdi, strings),
                    Devices = f.Devices is { } devices ? [.. devices.Select(d => new DeviceNumber(d.Major, d.Minor))] : [],
                };
                return true;
            case EventKind.FuseDevHolder when f.Kind == TopologyFactKind.FuseDevHolder:
                p.OtherPid = f.Pid;
                p.OtherComm = Intern(strings, f.Comm);
                return true;
            case EventKind.ThreadStack when f.Kind == TopologyFactKind.ThreadStack:
                p.OtherPid = f.Tid;
                p.OtherComm = Intern(strings, f.Comm);
                p.Topology = new TopologyFacts
                {
                    ThreadGroup = f.Pid,
                    ThreadState = f.ThreadState,
                    Wchan = Intern(strings, f.Wchan),
                    Syscall = Intern(strings, f.Syscall),
                    Frames = f.Frames is { } frames ? [.. frames.Select(frame => strings.Intern(frame))] : [],
                };
                return true;
            default:
                return false;
        }
    }

    private static string? Intern(Utf8Interner strings, string? s) => s is null ? null : strings.Intern(s);

    /// <summary>A bdi name as the writeback events spell it: <c>MAJ:MIN</c> numbered, else named (as
    /// <see cref="PayloadFields.Bdi"/> reads it from an event, so the two meet).</summary>
    private static DeviceNumber? Bdi(string? name, Utf8Interner strings)
    {
        if (name is null) return null;
        var bytes = System.Text.Encoding.UTF8.GetBytes(name);
        return PayloadFields.TryDevice(bytes, out var numbered) ? numbered : DeviceNumber.Named(strings.Intern(name));
    }
}
