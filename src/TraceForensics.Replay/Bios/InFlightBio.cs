using TraceForensics.Replay.Evidence;

namespace TraceForensics.Replay.Bios;

/// <summary>A bio queued on a device (block_bio_queue) and not yet completed.</summary>
public sealed record InFlightBio(ulong StartSector, ulong EndSector, int SubmitterPid, string SubmitterComm, string? Rwbs, EvidenceLine Queued);
