using TraceForensics.Events.Model;
using TraceForensics.Replay.Evidence;

namespace TraceForensics.Replay.Bios;

/// <summary>A block device: bios in flight (indexed by sector: <see cref="InFlightBios"/>) and the last completion seen.</summary>
public sealed class DeviceRecord(DeviceNumber dev)
{
    public DeviceNumber Dev { get; } = dev;
    public InFlightBios InFlight { get; private set; } = new();
    public EvidenceLine? LastCompletion { get; internal set; }
    public long CompletedCount { get; internal set; }

    /// <summary>Loop devices are served by a worker task doing the I/O on a backing file.</summary>
    public bool IsLoop => Dev.IsLoop;

    /// <summary>A copy that shares nothing mutable with this record (for replay checkpoints).</summary>
    internal DeviceRecord Clone()
    {
        var c = (DeviceRecord)MemberwiseClone();
        c.InFlight = InFlight.Clone();
        return c;
    }

    public InFlightBio? Oldest => InFlight.Count == 0 ? null : InFlight.MinBy(b => b.Queued.TimestampNs);
}
