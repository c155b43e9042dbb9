using TraceForensics.Events.Model;
using TraceForensics.Replay.Evidence;

namespace TraceForensics.Replay.Devices;

/// <summary>A loop device's backing at capture time: the filesystem device its backing file lives on, the file, and the
/// topology line that says so (an observed fact: drivers/block/loop.c does the loop device's I/O on that file, so a
/// freeze of that filesystem stalls it).</summary>
public sealed record LoopBacking(DeviceNumber Loop, DeviceNumber BackingFs, string BackingFile, EvidenceLine Evidence);
