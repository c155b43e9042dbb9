using TraceForensics.Replay.Evidence;

namespace TraceForensics.Replay.Bios;

/// <summary>A bio queued on a device (block_bio_queue) and not yet completed.</summary>
public sealed record InFlightBio(ulong StartSector, ulong EndSector, EvidenceLine Queued)
{
    /// <summary>A read (rwbs R without W: include/trace/events/block.h, blk_fill_rwbs): it ends no page's writeback.</summary>
    public bool IsRead { get; init; }

    /// <summary>Whether an rwbs string is a read's.</summary>
    public static bool IsReadRwbs(string? rwbs) => rwbs is { } r && r.AsSpan().IndexOf('R') >= 0 && r.AsSpan().IndexOf('W') < 0;

    /// <summary>The task whose plug holds it (queued under block_plug, not yet unplugged); null once dispatched.</summary>
    public int? PluggedBy { get; internal set; }
    public EvidenceLine? PlugLine { get; internal set; }
    /// <summary>Where a stacking driver (dm, md) sent it: block_bio_remap.</summary>
    public (Events.Model.DeviceNumber Dev, ulong Sector)? RemappedTo { get; internal set; }
    public EvidenceLine? RemapLine { get; internal set; }
    /// <summary>For a bio a stacking driver made from an upper device's bio (block_bio_remap): that bio (device, first
    /// sector, queue line). Its completion is the upper bio's (drivers/md/dm.c clone_endio -> dm_io_dec_pending ->
    /// bio_endio of the original bio).</summary>
    public (Events.Model.DeviceNumber Dev, ulong Sector, EvidenceLine Queued)? RemappedFrom { get; internal set; }
}
