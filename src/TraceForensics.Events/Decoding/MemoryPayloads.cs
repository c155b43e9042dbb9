using TraceForensics.Events.Model;
using static TraceForensics.Events.Decoding.PayloadFields;

namespace TraceForensics.Events.Decoding;

/// <summary>Reclaim and allocation payloads: <c>order= gfp_flags=</c>, <c>nr_reclaimed=</c>, shrink details,
/// <c>pfn=</c> of pages written or allocated.</summary>
internal static class MemoryPayloads
{
    public static bool ReclaimBegin(string eventName, ReadOnlySpan<byte> payload, ref EventPayload p, Utf8Interner strings)
    {
        p.Reclaim = Scope(eventName);
        p.Order = (int?)Decimal(payload, "order="u8);
        if (TryValue(payload, "gfp_flags="u8, out var gfp)) p.GfpFlags = strings.Intern(gfp);
        return p.GfpFlags is not null;
    }

    public static bool ReclaimEnd(string eventName, ReadOnlySpan<byte> payload, ref EventPayload p)
    {
        p.Reclaim = Scope(eventName);
        p.Count = Decimal(payload, "nr_reclaimed="u8);
        return true;
    }

    /// <summary>Keeps nr_writeback: pages found under writeback, what reclaim may wait on.</summary>
    public static bool ShrinkInactive(ReadOnlySpan<byte> payload, ref EventPayload p)
    {
        p.Count = Decimal(payload, "nr_writeback="u8);
        return true;
    }

    public static bool PageAndGfp(ReadOnlySpan<byte> payload, ref EventPayload p, Utf8Interner strings)
    {
        p.Pfn = Hex(payload, "pfn="u8);
        p.Folio = Hex(payload, "page="u8) ?? Hex(payload, "folio="u8);
        p.Order = (int?)Decimal(payload, "order="u8);
        if (TryValue(payload, "gfp_flags="u8, out var gfp)) p.GfpFlags = strings.Intern(gfp);
        return true;
    }

    internal static ReclaimScope Scope(string eventName) =>
        eventName.Contains("softlimit", StringComparison.Ordinal) ? ReclaimScope.MemcgSoftLimit
        : eventName.Contains("memcg", StringComparison.Ordinal) ? ReclaimScope.Memcg
        : eventName.Contains("node", StringComparison.Ordinal) ? ReclaimScope.Node
        : ReclaimScope.Direct;
}
