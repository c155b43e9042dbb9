using TraceForensics.Events.Model;
using TraceForensics.Ingest.Formats;

namespace TraceForensics.Events.Decoding;

/// <summary>Decodes an event's payload into <see cref="EventPayload"/> by what the event means: one small
/// handler per family, chosen by a switch on the kind (a jump table, not string compares).</summary>
public sealed class PayloadDecoder(Utf8Interner strings)
{
    /// <summary>Maps the typed facts of a kernel-log report line (no text to decode); returns false when the report
    /// lacks what every event of its kind carries.</summary>
    public bool Decode(EventKind kind, KernelLogReport report, ref EventPayload p) => KernelLogPayloads.Map(kind, report, ref p, strings);

    /// <summary>Maps the typed facts of a topology line; returns false when they are not of the event's kind.</summary>
    public bool Decode(EventKind kind, TopologyFact fact, ref EventPayload p) => TopologyPayloads.Map(kind, fact, ref p, strings);

    /// <summary>Decodes; returns false when the payload lacks what every event of its kind carries.</summary>
    public bool Decode(EventKind kind, string eventName, ReadOnlySpan<byte> payload, ref EventPayload p) => kind switch
    {
        EventKind.SchedSwitch => SchedPayloads.Switch(payload, ref p, strings),
        EventKind.SchedWaking or EventKind.SchedWakeup => SchedPayloads.Wakeup(payload, ref p, strings),
        EventKind.ProcessFork => SchedPayloads.Fork(payload, ref p, strings),
        EventKind.ProcessExec or EventKind.ProcessExit or EventKind.ProcessHang => SchedPayloads.Pid(payload, ref p, strings),
        EventKind.BlockedReason => SchedPayloads.BlockedReason(payload, ref p, strings),

        EventKind.FolioDirtied or EventKind.WritebackWait => PagePayloads.Bdi(payload, ref p, strings),
        EventKind.WritebackInode => eventName.StartsWith("ext4_", StringComparison.Ordinal) ? PagePayloads.FsFault(payload, ref p) : PagePayloads.Bdi(payload, ref p, strings),
        EventKind.WritebackWork => PagePayloads.BdiOnly(payload, ref p, strings),
        EventKind.PageCacheAdd or EventKind.PageCacheDelete => PagePayloads.Filemap(payload, ref p),
        EventKind.FilemapFault => PagePayloads.FilemapFault(payload, ref p),
        EventKind.WritebackStart => PagePayloads.WritebackStart(eventName, payload, ref p, strings),
        EventKind.FsFault => PagePayloads.FsFault(payload, ref p),
        EventKind.BlockMap => PagePayloads.BlockMap(payload, ref p),
        EventKind.JournalCommit => PagePayloads.Journal(payload, ref p),
        EventKind.OrderedExtent => PagePayloads.OrderedExtent(payload, ref p, strings),
        EventKind.PageLockWait or EventKind.PageLockAcquired or EventKind.PageUnlock or EventKind.WritebackEnd
            => PagePayloads.ProbeArgs(payload, ref p),

        EventKind.BioQueue or EventKind.BioMerge or EventKind.BioComplete or EventKind.RequestGet
            or EventKind.RequestInsert or EventKind.RequestIssue or EventKind.RequestComplete or EventKind.BioRemap
            => BlockPayloads.Bio(payload, ref p, strings),
        EventKind.BioSplit => BlockPayloads.Split(payload, ref p, strings),
        EventKind.WorkQueued => WorkqueuePayloads.Queued(payload, ref p, strings),
        EventKind.WorkStart or EventKind.WorkEnd => WorkqueuePayloads.Execute(payload, ref p, strings),
        EventKind.Plug => true,
        EventKind.Unplug => BlockPayloads.Unplug(payload, ref p),

        EventKind.ReclaimBegin => MemoryPayloads.ReclaimBegin(eventName, payload, ref p, strings),
        EventKind.ReclaimEnd => MemoryPayloads.ReclaimEnd(eventName, payload, ref p),
        EventKind.ReclaimShrinkInactive => MemoryPayloads.ShrinkInactive(payload, ref p),
        EventKind.ReclaimWrite or EventKind.PageAlloc => MemoryPayloads.PageAndGfp(payload, ref p, strings),

        EventKind.FuseRequestSend or EventKind.FuseRequestEnd => FusePayloads.Request(payload, ref p),
        EventKind.LockContentionBegin or EventKind.LockContentionEnd => LockPayloads.Contention(payload, ref p, strings),
        // The kernel-log reports come typed (Decode's KernelLogReport overload); as text they carry nothing to decode.
        EventKind.LockOwner or EventKind.LockHeld or EventKind.LockdepReport or EventKind.HungTaskDetail => false,
        // So do the topology facts (Decode's TopologyFact overload).
        EventKind.LoopBacking or EventKind.Mount or EventKind.DmDevice or EventKind.Filesystem or EventKind.BtrfsFilesystem or EventKind.FuseDevHolder or EventKind.ThreadStack => false,
        _ => true,
    };
}
