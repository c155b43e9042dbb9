using TraceForensics.Replay.Bios;
using TraceForensics.Replay.Evidence;

namespace TraceForensics.Replay.Pages;

/// <summary>One page's replayed state: who holds its lock (observed from probes or inferred by a rule), whether it
/// is under writeback, and the ioend (bio being built or in flight) it belongs to.</summary>
public sealed class PageRecord(PageKey key)
{
    public PageKey Key { get; } = key;
    public int? LockHolder { get; internal set; }
    public EvidenceLine? LockLine { get; internal set; }
    public bool LockObserved { get; internal set; }
    public InferenceRule? LockRule { get; internal set; }

    public bool UnderWriteback { get; internal set; }
    public int? WritebackBy { get; internal set; }
    public IoendRecord? Ioend { get; internal set; }
    /// <summary>How a page whose writeback-start event named no device was placed on one (rule
    /// inode-writeback-names-page-device) and the line it came from; null when the event named the device.</summary>
    public (InferenceRule Rule, EvidenceLine Line)? WritebackDeviceFrom { get; internal set; }

    public bool Idle => LockHolder is null && !UnderWriteback;

    /// <summary>A copy pointing at the copy of its ioend (for replay checkpoints).</summary>
    internal PageRecord Clone(IReadOnlyDictionary<IoendRecord, IoendRecord> ioends)
    {
        var c = (PageRecord)MemberwiseClone();
        c.Ioend = Ioend is null ? null : ioends.GetValueOrDefault(Ioend);
        return c;
    }
}
