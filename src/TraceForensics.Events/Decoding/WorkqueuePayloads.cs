using TraceForensics.Events.Model;
using TraceForensics.Ingest.Formats;
using static TraceForensics.Events.Decoding.PayloadFields;

namespace TraceForensics.Events.Decoding;

/// <summary>The workqueue tracepoints (include/trace/events/workqueue.h): <c>workqueue_queue_work: work struct=%p
/// function=%ps workqueue=%s req_cpu=%d cpu=%d</c>; <c>workqueue_execute_start: work struct %p: function %ps</c>;
/// <c>workqueue_execute_end: work struct %p: function %ps</c>.</summary>
internal static class WorkqueuePayloads
{
    public static bool Queued(ReadOnlySpan<byte> payload, ref EventPayload p, Utf8Interner strings)
    {
        if (!TryValue(payload, "struct="u8, out var work) || !AsciiSpan.TryParseHex(work, out ulong w)) return false;
        if (TryValue(payload, "function="u8, out var fn)) p.Function = strings.Intern(fn);
        if (!TryValue(payload, "workqueue="u8, out var wq)) return false;
        p.Work = new WorkItemFacts(w, strings.Intern(wq));
        return true;
    }

    public static bool Execute(ReadOnlySpan<byte> payload, ref EventPayload p, Utf8Interner strings)
    {
        if (!TryValue(payload, "struct "u8, out var work) || !AsciiSpan.TryParseHex(work.TrimEnd((byte)':'), out ulong w)) return false;
        p.Work = new WorkItemFacts(w, null);
        if (TryValue(payload, "function "u8, out var fn)) p.Function = strings.Intern(fn);
        return true;
    }
}
