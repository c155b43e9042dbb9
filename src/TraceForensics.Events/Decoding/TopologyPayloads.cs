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
        p.Dev = new DeviceNumber(f.Major, f.Minor);
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
            default:
                return false;
        }
    }

    private static string? Intern(Utf8Interner strings, string? s) => s is null ? null : strings.Intern(s);
}
