using TraceForensics.Replay.Bios;
using TraceForensics.Replay.Evidence;

namespace TraceForensics.Replay.Pages;

/// <summary>One page's replayed state: who holds its lock (observed from probes or inferred by a rule), whether it
/// is under writeback, and the ioend (bio being built or in flight) it belongs to. Most live pages are only under
/// writeback: what a lock or a device rule adds is kept in a second object, made only for a page that has one, so a
/// million pages under writeback stay small.</summary>
public sealed class PageRecord(PageKey key)
{
    /// <summary>The lock holder and how the writeback found its device: rare, so apart.</summary>
    private sealed class Rare
    {
        public int? LockHolder;
        public EvidenceLine? LockLine;
        public bool LockObserved;
        public InferenceRule? LockRule;
        public (InferenceRule Rule, EvidenceLine Line)? WritebackDeviceFrom;
        public Rare Copy() => (Rare)MemberwiseClone();
    }

    private Rare? _rare;
    private Rare More => _rare ??= new Rare();

    public PageKey Key { get; } = key;
    public int? LockHolder { get => _rare?.LockHolder; internal set { if (value is not null || _rare is not null) More.LockHolder = value; } }
    public EvidenceLine? LockLine { get => _rare?.LockLine; internal set { if (value is not null || _rare is not null) More.LockLine = value; } }
    public bool LockObserved { get => _rare?.LockObserved ?? false; internal set { if (value || _rare is not null) More.LockObserved = value; } }
    public InferenceRule? LockRule { get => _rare?.LockRule; internal set { if (value is not null || _rare is not null) More.LockRule = value; } }

    public bool UnderWriteback { get; internal set; }
    public int? WritebackBy { get; internal set; }
    public IoendRecord? Ioend { get; internal set; }
    /// <summary>How a page whose writeback-start event named no device was placed on one (rule
    /// inode-writeback-names-page-device) and the line it came from; null when the event named the device.</summary>
    public (InferenceRule Rule, EvidenceLine Line)? WritebackDeviceFrom
    {
        get => _rare?.WritebackDeviceFrom;
        internal set { if (value is not null || _rare is not null) More.WritebackDeviceFrom = value; }
    }

    public bool Idle => LockHolder is null && !UnderWriteback;

    /// <summary>A copy pointing at the copy of its ioend (for replay checkpoints).</summary>
    internal PageRecord Clone(IReadOnlyDictionary<IoendRecord, IoendRecord> ioends)
    {
        var c = (PageRecord)MemberwiseClone();
        c._rare = _rare is null ? null : _rare.Copy();
        c.Ioend = Ioend is null ? null : ioends.GetValueOrDefault(Ioend);
        return c;
    }
}
