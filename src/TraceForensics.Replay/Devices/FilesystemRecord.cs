using TraceForensics.Events.Model;
using TraceForensics.Replay.Evidence;

namespace TraceForensics.Replay.Devices;

/// <summary>A mounted filesystem at capture time: its device (<c>st_dev</c>, the <c>dev</c> the filemap and iomap events
/// print), type, block size (null when the capture could not read it), the backing_dev_info its writeback events name
/// (numbered <c>7:2</c> or named <c>btrfs-1</c>; null when not known), and the topology line.</summary>
public sealed record FilesystemRecord(DeviceNumber Dev, string FsType, long? BlockSize, DeviceNumber? Bdi, EvidenceLine Evidence);
