using TraceForensics.Events.Model;
using TraceForensics.Replay.Evidence;
using TraceForensics.Replay.Pages;

namespace TraceForensics.Replay.Bios;

/// <summary>An ioend / bio under construction or in flight: the disk range (512-byte sectors) its pages map to,
/// the task building it, the pages in it, and when (if ever) it was submitted and completed.</summary>
public sealed class IoendRecord(int id, DeviceNumber dev, ulong startSector, int builderPid, string builderComm, EvidenceLine firstLine)
{
    public int Id { get; } = id;
    /// <summary>The device; for a bio built on an anonymous device (btrfs), the block device it was submitted to, once it was.</summary>
    public DeviceNumber Dev { get; internal set; } = dev;
    public ulong StartSector { get; internal set; } = startSector;
    /// <summary>False for a bio whose pages were put under writeback by events without a disk address (ext4,
    /// writeback-start probes): its sectors are learnt when its builder submits it.</summary>
    public bool SectorKnown { get; internal set; } = true;
    /// <summary>How the submission was matched: null when the bio_queue covers the known sectors, else the rule.</summary>
    public InferenceRule? SubmissionRule { get; internal set; }
    public ulong EndSector { get; internal set; } = startSector;
    public int BuilderPid { get; } = builderPid;
    public string BuilderComm { get; } = builderComm;
    public EvidenceLine FirstLine { get; } = firstLine;
    /// <summary>The pages in it, in the order they were added, each with the line that added it.</summary>
    public IoendPages Pages { get; private set; } = new();
    public EvidenceLine? Submitted { get; internal set; }
    public EvidenceLine? Completed { get; internal set; }

    public ulong Sectors => EndSector - StartSector;

    /// <summary>A copy that shares nothing mutable with this record (for replay checkpoints).</summary>
    internal IoendRecord Clone()
    {
        var c = (IoendRecord)MemberwiseClone();
        c.Pages = Pages.Clone();
        return c;
    }
    public bool Overlaps(ulong start, ulong end) => start < EndSector && end > StartSector;
    public override string ToString() => SectorKnown ? $"bio {Dev} sector {StartSector}" : $"bio {Dev} built by {BuilderPid}, not submitted";
}
