using TraceForensics.Events.Dictionary;
using TraceForensics.Events.Model;
using TraceForensics.Ingest.Diagnostics;
using TraceForensics.Ingest.Input;

namespace TraceForensics.Events.Reading;

/// <summary>What all inputs of one session share: interned strings, the stack table, the event dictionary,
/// the record decoders and the diagnostics log.</summary>
public sealed class EventTables : IDisposable
{
    /// <summary>New tables; <paramref name="limits"/> bounds the frames kept per stack and the strings interned (the defaults
    /// when null).</summary>
    public EventTables(EventDictionary? dictionary = null, DiagnosticLog? diagnostics = null, InputLimits? limits = null)
        : this(dictionary ?? new EventDictionary(), diagnostics ?? new DiagnosticLog(),
            new Utf8Interner((limits ?? InputLimits.Default).MaxInternedStrings),
            new StackTable((limits ?? InputLimits.Default).MaxStackFrames))
    {
    }

    /// <summary>Tables that decode into <paramref name="shared"/>'s strings, stacks and dictionary (a stack read again
    /// gets the id it had), with diagnostics of their own: for reading part of an input again (the TUI's event log).</summary>
    public EventTables(EventTables shared, DiagnosticLog diagnostics)
        : this(shared.Dictionary, diagnostics, shared.Strings, shared.Stacks)
    {
    }

    private EventTables(EventDictionary dictionary, DiagnosticLog diagnostics, Utf8Interner strings, StackTable stacks)
    {
        Dictionary = dictionary;
        Diagnostics = diagnostics;
        Strings = strings;
        Stacks = stacks;
        _threadDecoders = new(() => new RecordDecoder(Dictionary, new Utf8Interner(Strings)));
    }

    /// <summary>The session's interner. Records are decoded (on any thread) through fronts over it
    /// (<see cref="ThreadDecoder"/>), which lock it; nothing interns into it directly while a session reads.</summary>
    public Utf8Interner Strings { get; }
    public StackTable Stacks { get; }
    public EventDictionary Dictionary { get; }
    public DiagnosticLog Diagnostics { get; }

    private readonly ThreadLocal<RecordDecoder> _threadDecoders;

    /// <summary>The decoder of the calling thread, with its own front over <see cref="Strings"/>: the one pool of decoders.
    /// Every input one thread reads (the merge takes them in turn) and every run of lines a decoding thread decodes uses
    /// it, one record or run after the other, so an input waiting for its turn holds no decoder, whose interner front
    /// alone is some 28 KB (issue 16: memory per waiting input).</summary>
    internal RecordDecoder ThreadDecoder => _threadDecoders.Value!;

    /// <summary>Lets go of the threads' decoders (the strings, stacks and dictionary stay readable).</summary>
    public void Dispose() => _threadDecoders.Dispose();
}
