namespace TraceForensics.Events.Model;

/// <summary>Which reclaim a <c>mm_vmscan_*_reclaim_begin/end</c> event brackets.</summary>
public enum ReclaimScope : byte
{
    None,
    Direct,
    Memcg,
    MemcgSoftLimit,
    Node,
}
