using TraceForensics.Events.Model;
using TraceForensics.Replay.Evidence;

namespace TraceForensics.Replay.Devices;

/// <summary>A mount at capture time: the mounted device, where, its filesystem type, and the topology line.</summary>
public sealed record MountRecord(DeviceNumber Dev, string MountPoint, string FsType, EvidenceLine Evidence);
