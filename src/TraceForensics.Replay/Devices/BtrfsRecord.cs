using System.Collections.Immutable;
using TraceForensics.Events.Model;
using TraceForensics.Replay.Evidence;

namespace TraceForensics.Replay.Devices;

/// <summary>A btrfs filesystem at capture time: its fsid (the named device the btrfs events print), its
/// backing_dev_info (<c>btrfs-1</c>, the writeback events' name; null when not known), the anonymous device of its mount
/// (its <c>s_dev</c>, the filemap events' <c>0:NN</c>; null when not mounted), the block devices its bios go to, and the
/// topology line.</summary>
public sealed record BtrfsRecord(DeviceNumber Fsid, DeviceNumber? Bdi, DeviceNumber? Anon, ImmutableArray<DeviceNumber> Devices, EvidenceLine Evidence);
