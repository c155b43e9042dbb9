using TraceForensics.Events.Decoding;
using TraceForensics.Events.Dictionary;
using TraceForensics.Events.Model;
using TraceForensics.Ingest.Formats;
using TraceForensics.Ingest.TraceDat;

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
        if (record.Notice is not null) d.Notice = record.Notice; // most lines have none: no store into the record
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
        if (record.Binary is { } binary)
        {
            e.Comm = CommOf(binary, record.Pid, record.Comm);
            DecodeTyped(binary, ref d);
            return;
        }
        e.Comm = strings.Intern(record.Comm, record.Pid);
        ref readonly var name = ref NameOf(record.Event);
        e.Name = name.Name!;
        var payload = record.Payload;
        e.Kind = Resolve(name.Name!, name.UserMapped, name.Kind, record.Subsystem, ref payload, ref e.Payload);
        Decoded(ref record, ref d, payload);
    }

    /// <summary>Sets the payload facts from the text (<paramref name="payload"/>, or the record's typed facts) and says
    /// what was lacking.</summary>
    private void Decoded(ref RawRecord record, ref DecodedRecord d, ReadOnlySpan<byte> payload)
    {
        ref var e = ref d.Event;
        bool decoded = e.Kind == EventKind.Unknown
            || (record.Report is { } report ? _decoder.Decode(e.Kind, report, ref e.Payload)
                : record.Topology is { } fact ? _decoder.Decode(e.Kind, fact, ref e.Payload)
                : _decoder.Decode(e.Kind, e.Name, payload, ref e.Payload));
        Decoded(ref d, decoded, fromText: record.Report is null);
    }

    /// <summary>What a payload that was (<paramref name="decoded"/>) or was not decoded leaves to say.</summary>
    private static void Decoded(ref DecodedRecord d, bool decoded, bool fromText)
    {
        ref var e = ref d.Event;
        if (!decoded && e.Kind == EventKind.ProcessHang && fromText)
        {
            // sched_process_hang is emitted by khungtaskd and names the hung task only in its payload (kernel/hung_task.c,
            // trace_sched_process_hang(t)): with a pid= that is no pid, the hung task is unknown, never the reporter.
            d.PayloadProblem = PayloadProblem.HangPidInvalid;
            e.Kind = EventKind.Unknown;
        }
        else if (!decoded)
            d.PayloadProblem = PayloadProblem.Lacking;
    }

    /// <summary>A trace.dat event read typed: its name and meaning once per event type, its payload facts from the record's
    /// fields (<see cref="TraceDatFields"/>), the text rendered and decoded as for a text input only where no typed decoder
    /// reads the type, the record is one the typed decoder leaves to the text, or the meaning depends on the payload (a
    /// kprobe's <c>(address)</c> header). The first records of each type are decoded both ways: a type whose typed facts
    /// differ from the text's (a kernel that prints its fields otherwise) is read from the text from then on.</summary>
    private void DecodeTyped(TraceDatEvent binary, ref DecodedRecord d)
    {
        ref var e = ref d.Event;
        var type = TypeOf(binary);
        e.Name = type.Name;
        if (type.KindFromText)
        {
            var payload = binary.Payload();
            e.Kind = Resolve(e.Name, userMapped: false, type.ByName, default, ref payload, ref e.Payload);
            var none = new RawRecord();
            Decoded(ref none, ref d, payload);
            return;
        }
        e.Kind = type.Kind;
        if (e.Kind == EventKind.Unknown) return;
        int typed = -1;
        if (type.Fields is { } fields)
        {
            if (type.Checked < TypedChecks)
            {
                // Both ways: the text's facts are kept; a difference sends the type to the text for good.
                var typedPayload = default(EventPayload);
                typed = fields.Decode(binary, ref typedPayload, strings, _decoder);
                if (typed >= 0)
                {
                    // The text is decoded once: its facts are the record's, and the typed ones are compared with them.
                    type.Checked++;
                    bool ok = _decoder.Decode(e.Kind, e.Name, binary.Payload(), ref e.Payload);
                    if (ok != (typed == 1) || !typedPayload.Equals(e.Payload)) type.Fields = null;
                    Decoded(ref d, ok, fromText: true);
                    return;
                }
            }
            else typed = fields.Decode(binary, ref e.Payload, strings, _decoder);
        }
        if (typed >= 0)
        {
            if (typed == 0) d.PayloadProblem = PayloadProblem.Lacking;
            return;
        }
        e.Payload = default;
        var none2 = new RawRecord();
        Decoded(ref none2, ref d, binary.Payload());
    }

    /// <summary>A trace.dat task's comm, interned once per pid: it is the file's saved cmdline of the pid, the same for
    /// every record of that input (one record source, one <see cref="TraceDatEvent"/>).</summary>
    private string CommOf(TraceDatEvent source, int pid, ReadOnlySpan<byte> comm)
    {
        if (!ReferenceEquals(_commsOf, source))
        {
            _commsOf = source;
            _comms.Clear();
        }
        if (_comms.TryGetValue(pid, out var s)) return s;
        s = strings.Intern(comm);
        if (_comms.Count < 1 << 20) _comms[pid] = s;
        return s;
    }

    private TraceDatEvent? _commsOf;
    private readonly Dictionary<int, string> _comms = [];

    /// <summary>Records of each event type decoded both typed and from the text before the typed facts alone are trusted.</summary>
    private const int TypedChecks = 16;

    /// <summary>What every record of one event type shares: its interned name, its meaning, its typed decoder.</summary>
    private sealed class EventType(EventFormat format, string name, EventKind byName, EventKind kind, bool kindFromText, TraceDatFields? fields)
    {
        public readonly EventFormat Format = format;
        public readonly string Name = name;
        /// <summary>The dictionary's meaning of the name (for a type whose meaning comes from the text, not user-mapped).</summary>
        public readonly EventKind ByName = byName;
        public readonly EventKind Kind = kind;
        public readonly bool KindFromText = kindFromText;
        public TraceDatFields? Fields = fields;
        public int Checked;
        /// <summary>Records of the type decoded from their text (no typed decoder, or one that left them to the text).</summary>
    }

    private EventType?[] _types = [];

    private EventType TypeOf(TraceDatEvent binary)
    {
        var format = binary.Format;
        int id = format.Id;
        if ((uint)id < (uint)_types.Length && _types[id] is { } known && ReferenceEquals(known.Format, format)) return known;
        string name = strings.Intern(format.Name);
        // The meaning by name alone, unless the user mapped it or the payload may hold a kprobe's "(address)" header.
        bool fromText = !dictionary.IsUserMapped(name) && !binary.PayloadNeverStartsWithParen;
        var byName = dictionary.ByName(name);
        var kind = fromText ? EventKind.Unknown : byName;
        var type = new EventType(format, name, byName, kind, fromText, fromText ? null : TraceDatFields.For(kind, format));
        if (id >= 0 && id < 1 << 16)
        {
            if (id >= _types.Length) Array.Resize(ref _types, Math.Max(id + 1, 2 * _types.Length));
            _types[id] = type;
        }
        return type;
    }

    /// <summary>The meaning of an event: the user's map, then a kprobe's probed function, then the tracepoint
    /// name. For a kprobe, <paramref name="payload"/> becomes its arguments.</summary>
    private EventKind Resolve(string name, bool userMapped, EventKind byName, ReadOnlySpan<byte> subsystem, ref ReadOnlySpan<byte> payload, ref EventPayload p)
    {
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

    /// <summary>An event name's interned string and the dictionary's answers for it (user-mapped, meaning by name), kept
    /// per decoder in a table indexed by a hash of the name's bytes: a line whose name was seen finds them by comparing a
    /// four words (<see cref="Utf8Interner.Pack(ReadOnlySpan{byte}, out ulong, out ulong, out ulong, out ulong)"/>: the bytes
    /// themselves up to Utf8Interner.InlineBytes (32), every tracepoint name of the vocabulary), without interning, hashing a string or looking it up in the dictionary. A slot
    /// holds the last name that fell on it (bounded: <see cref="NameSlots"/> names, whatever the input).</summary>
    private ref readonly NameSlot NameOf(ReadOnlySpan<byte> bytes)
    {
        int n = bytes.Length;
        Utf8Interner.Pack(bytes, out ulong w0, out ulong w1, out ulong w2, out ulong w3);
        ref var slot = ref _names[Utf8Interner.Slot(w0 ^ w2, w1 ^ w3, n, NameSlotBits)];
        if (slot.Length == n && slot.W0 == w0 && slot.W1 == w1 && slot.W2 == w2 && slot.W3 == w3 && slot.Name is not null
            && (n <= Utf8Interner.InlineBytes || bytes.SequenceEqual(slot.Bytes)))
            return ref slot;
        string name = strings.Intern(bytes);
        slot = new NameSlot
        {
            W0 = w0, W1 = w1, W2 = w2, W3 = w3, Length = n, Bytes = n <= Utf8Interner.InlineBytes ? null : bytes.ToArray(),
            Name = name, UserMapped = dictionary.IsUserMapped(name), Kind = dictionary.ByName(name),
        };
        return ref slot;
    }

    private struct NameSlot
    {
        public ulong W0, W1, W2, W3;
        public int Length;
        /// <summary>The name's bytes when past Utf8Interner.InlineBytes.</summary>
        public byte[]? Bytes;
        public string? Name;
        public bool UserMapped;
        public EventKind Kind;
    }

    private const int NameSlotBits = 8;
    private const int NameSlots = 1 << NameSlotBits;
    private readonly NameSlot[] _names = new NameSlot[NameSlots];
}
