using System.Collections.Concurrent;
using TraceForensics.Events.Dictionary;
using TraceForensics.Events.Model;
using TraceForensics.Ingest.Diagnostics;
using TraceForensics.Ingest.Input;

namespace TraceForensics.Events.Reading;

/// <summary>What all inputs of one session share: interned strings, the stack table, the event dictionary,
/// the record decoders and the diagnostics log.</summary>
public sealed class EventTables
{
    private readonly ConcurrentBag<RecordDecoder> _decoders = new();

    /// <summary>New tables; <paramref name="limits"/> bounds the frames kept per stack and the strings interned (the defaults
    /// when null).</summary>
    public EventTables(EventDictionary? dictionary = null, DiagnosticLog? diagnostics = null, InputLimits? limits = null)
    {
        Dictionary = dictionary ?? new EventDictionary();
        Diagnostics = diagnostics ?? new DiagnosticLog();
        limits ??= InputLimits.Default;
        Strings = new Utf8Interner(limits.MaxInternedStrings);
        Stacks = new StackTable(limits.MaxStackFrames);
        _threadDecoders = new(() => new RecordDecoder(Dictionary, new Utf8Interner(Strings)));
    }

    /// <summary>Tables that decode into <paramref name="shared"/>'s strings, stacks and dictionary (a stack read again
    /// gets the id it had), with diagnostics of their own: for reading part of an input again (the TUI's event log).</summary>
    public EventTables(EventTables shared, DiagnosticLog diagnostics)
    {
        Dictionary = shared.Dictionary;
        Diagnostics = diagnostics;
        Strings = shared.Strings;
        Stacks = shared.Stacks;
        _threadDecoders = new(() => new RecordDecoder(Dictionary, new Utf8Interner(Strings)));
    }

    /// <summary>The session's interner. Records are decoded (on any thread) through fronts over it
    /// (<see cref="RentDecoder"/>), which lock it; nothing interns into it directly while a session reads.</summary>
    public Utf8Interner Strings { get; }
    public StackTable Stacks { get; }
    public EventDictionary Dictionary { get; }
    public DiagnosticLog Diagnostics { get; }

    /// <summary>A record decoder for one thread at a time, with its own front over <see cref="Strings"/>.</summary>
    internal RecordDecoder RentDecoder() =>
        _decoders.TryTake(out var decoder) ? decoder : new RecordDecoder(Dictionary, new Utf8Interner(Strings));

    internal void ReturnDecoder(RecordDecoder decoder) => _decoders.Add(decoder);

    private readonly ThreadLocal<RecordDecoder> _threadDecoders;

    /// <summary>The decoder of the calling thread, for inputs read one record at a time: every input one thread reads
    /// (the merge takes them in turn) uses it, so an input waiting for its turn holds no decoder, whose interner front
    /// alone is some 28 KB (issue 16: memory per waiting input).</summary>
    internal RecordDecoder ThreadDecoder => _threadDecoders.Value!;
}
