using TraceForensics.Replay.Bios;
using TraceForensics.Replay.Evidence;

namespace TraceForensics.Replay.Pages;

/// <summary>One page's replayed state, as read from the page tracker at one time: who holds its lock (observed from
/// probes or inferred by a rule), whether it is under writeback, and the ioend (bio being built or in flight) it
/// belongs to. The tracker keeps pages as structs (<see cref="PageState"/>); this is a copy made when asked for.</summary>
public sealed class PageRecord
{
    internal PageRecord(PageKey key, in PageState state)
    {
        Key = key;
        LockHolder = state.More?.LockHolder;
        LockLine = state.More?.LockLine;
        LockObserved = state.More?.LockObserved ?? false;
        LockRule = state.More?.LockRule;
        WritebackDeviceFrom = state.More?.WritebackDeviceFrom;
        UnderWriteback = state.UnderWriteback;
        WritebackBy = state.HasWritebackBy ? state.WritebackBy : null;
        Ioend = state.Ioend;
    }

    public PageKey Key { get; }
    public int? LockHolder { get; }
    public EvidenceLine? LockLine { get; }
    public bool LockObserved { get; }
    public InferenceRule? LockRule { get; }

    public bool UnderWriteback { get; }
    public int? WritebackBy { get; }
    public IoendRecord? Ioend { get; }
    /// <summary>How a page whose writeback-start event named no device was placed on one (rule
    /// inode-writeback-names-page-device) and the line it came from; null when the event named the device.</summary>
    public (InferenceRule Rule, EvidenceLine Line)? WritebackDeviceFrom { get; }

    public bool Idle => LockHolder is null && !UnderWriteback;
}
