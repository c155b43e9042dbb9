using TraceForensics.Events.Decoding;
using TraceForensics.Events.Dictionary;
using TraceForensics.Events.Model;
using TraceForensics.Ingest.Formats;

namespace TraceForensics.Events.Reading;

/// <summary>Decodes one record on its own: resolves the event's meaning (the user's map, a kprobe's probed function,
/// the tracepoint name), decodes its payload, interns its strings. It reads nothing but the record and the shared
/// read-only dictionary, so records can be decoded on several threads at once, each with its own decoder (its own
/// front over the session's interner).</summary>
internal sealed class RecordDecoder(EventDictionary dictionary, Utf8Interner strings)
{
    private readonly PayloadDecoder _decoder = new(strings);

    public void Decode(ref RawRecord record, long byteOffset, ref DecodedRecord d)
    {
        d = default;
        d.Kind = record.Kind;
        d.ByteOffset = byteOffset;
        d.Notice = record.Notice;
        switch (record.Kind)
        {
            case RecordKind.Event:
                DecodeEvent(ref record, ref d);
                break;
            case RecordKind.StackStart:
                d.Cpu = record.Cpu;
                d.Pid = record.Pid;
                d.CallTrace = record.Event.SequenceEqual("call_trace"u8);
                if (!record.Frame.IsEmpty) d.Frame = strings.Intern(record.Frame);
                break;
            case RecordKind.StackFrame:
                d.Frame = strings.Intern(record.Frame);
                break;
            case RecordKind.LostEvents:
                d.Cpu = record.Cpu;
                d.Count = record.Count;
                break;
            case RecordKind.BufferEntries:
                d.Count = record.Count;
                d.Count2 = record.Count2;
                break;
            default:
                d.Problem = record.Problem;
                break;
        }
    }

    private void DecodeEvent(ref RawRecord record, ref DecodedRecord d)
    {
        ref var e = ref d.Event;
        e.TimestampNs = record.TimestampNs;
        e.Cpu = record.Cpu;
        e.Pid = record.Pid;
        e.Tgid = record.Tgid;
        e.Comm = strings.Intern(record.Comm);
        e.Name = strings.Intern(record.Event);
        var payload = record.Payload;
        e.Kind = Resolve(e.Name, record.Subsystem, ref payload, ref e.Payload);
        bool decoded = e.Kind == EventKind.Unknown
            || (record.Report is { } report ? _decoder.Decode(e.Kind, report, ref e.Payload)
                : record.Topology is { } fact ? _decoder.Decode(e.Kind, fact, ref e.Payload)
                : _decoder.Decode(e.Kind, e.Name, payload, ref e.Payload));
        if (!decoded && e.Kind == EventKind.ProcessHang && record.Report is null)
        {
            // sched_process_hang is emitted by khungtaskd and names the hung task only in its payload (kernel/hung_task.c,
            // trace_sched_process_hang(t)): with a pid= that is no pid, the hung task is unknown, never the reporter.
            d.PayloadProblem = PayloadProblem.HangPidInvalid;
            e.Kind = EventKind.Unknown;
        }
        else if (!decoded)
            d.PayloadProblem = PayloadProblem.Lacking;
    }

    /// <summary>The meaning of an event: the user's map, then a kprobe's probed function, then the tracepoint
    /// name. For a kprobe, <paramref name="payload"/> becomes its arguments.</summary>
    private EventKind Resolve(string name, ReadOnlySpan<byte> subsystem, ref ReadOnlySpan<byte> payload, ref EventPayload p)
    {
        var (userMapped, byName) = NameKind(name);
        if (userMapped) return byName;
        bool perfProbe = subsystem.StartsWith("probe"u8);
        if ((perfProbe || (payload.Length > 0 && payload[0] == (byte)'('))
            && KprobeHeader.TryParse(payload, out var function, out var returnSite, out bool isReturn, out var args))
        {
            string func;
            if (!function.IsEmpty) func = strings.Intern(function);
            else
            {
                // An address for a function (perf script; trace-cmd report, which prints the kprobe's print fmt "(%lx)"
                // without the subsystem): the function is in the event name, as `perf probe` names it (func, func__return).
                bool returnName = name.EndsWith("__return", StringComparison.Ordinal);
                var named = returnName ? strings.Intern(name[..^"__return".Length]) : name;
                if (!perfProbe && dictionary.ByProbedFunction(named, returnName || isReturn) == EventKind.Unknown) return dictionary.ByName(name);
                isReturn = returnName || isReturn;
                func = named;
            }
            p.Function = func;
            p.IsReturnProbe = isReturn;
            if (!returnSite.IsEmpty) p.ReturnSite = strings.Intern(returnSite);
            payload = args;
            return dictionary.ByProbedFunction(func, isReturn);
        }
        return byName;
    }

    /// <summary>The dictionary's answers for an event name, kept per interned name (the same bytes give the same string
    /// object): two string-hashing lookups a record otherwise. Bounded: past <see cref="MaxNames"/> names (an interner
    /// that is full gives new strings), it starts again.</summary>
    private (bool UserMapped, EventKind Kind) NameKind(string name)
    {
        if (_names.TryGetValue(name, out var known)) return known;
        if (_names.Count >= MaxNames) _names.Clear();
        var kind = (dictionary.IsUserMapped(name), dictionary.ByName(name));
        _names.Add(name, kind);
        return kind;
    }

    private const int MaxNames = 4096;
    private readonly Dictionary<string, (bool, EventKind)> _names = new(ReferenceEqualityComparer.Instance);
}
