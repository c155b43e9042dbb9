using TraceForensics.Replay.Bios;
using TraceForensics.Replay.Evidence;

namespace TraceForensics.Replay.Pages;

/// <summary>One live page as the page tracker stores it: a struct in the tracker's table, not an object per page, so a
/// million pages under writeback are one array for the collector, not a million objects to mark. What a lock or a device
/// rule adds is rare and kept in a second object made only for a page that has one. Read out as a
/// <see cref="PageRecord"/>.</summary>
internal struct PageState
{
    /// <summary>The lock holder and how the writeback found its device: rare, so apart.</summary>
    internal sealed class Rare
    {
        public int? LockHolder;
        public EvidenceLine? LockLine;
        public bool LockObserved;
        public InferenceRule? LockRule;
        public (InferenceRule Rule, EvidenceLine Line)? WritebackDeviceFrom;
        public Rare Copy() => (Rare)MemberwiseClone();
    }

    public Rare? More;
    public IoendRecord? Ioend;
    public int WritebackBy;
    public bool HasWritebackBy;
    public bool UnderWriteback;

    private Rare Made => More ??= new Rare();

    public readonly int? LockHolder => More?.LockHolder;

    public void SetLock(int? holder, EvidenceLine? line, bool observed, InferenceRule? rule)
    {
        // As each field was set alone: a null or false sets nothing on a page with no rare part yet.
        if (holder is not null || More is not null) Made.LockHolder = holder;
        if (line is not null || More is not null) Made.LockLine = line;
        if (observed || More is not null) Made.LockObserved = observed;
        if (rule is not null || More is not null) Made.LockRule = rule;
    }

    /// <summary>The lock is released: holder, line and rule cleared (whether it was observed is kept).</summary>
    public void ClearLock()
    {
        if (More is null) return;
        More.LockHolder = null;
        More.LockLine = null;
        More.LockRule = null;
    }

    public void SetWritebackDeviceFrom((InferenceRule Rule, EvidenceLine Line)? from)
    {
        if (from is not null || More is not null) Made.WritebackDeviceFrom = from;
    }

    public readonly bool Idle => LockHolder is null && !UnderWriteback;

    /// <summary>A copy pointing at the copy of its ioend (for replay checkpoints).</summary>
    public readonly PageState Clone(IReadOnlyDictionary<IoendRecord, IoendRecord> ioends)
    {
        var c = this;
        c.More = More?.Copy();
        c.Ioend = Ioend is null ? null : ioends.GetValueOrDefault(Ioend);
        return c;
    }
}
