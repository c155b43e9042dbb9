using System.Collections.Immutable;
using TraceForensics.Events.Model;
using TraceForensics.Replay.Evidence;

namespace TraceForensics.Replay.Devices;

/// <summary>A device-mapper device at capture time: its device, name, the devices under it, and the topology line.</summary>
public sealed record DmRecord(DeviceNumber Dev, string Name, ImmutableArray<DeviceNumber> Slaves, EvidenceLine Evidence)
{
    /// <summary>Its table (one target a line: start, length, type, args), when the topology has it.</summary>
    public string? Table { get; init; }
}
