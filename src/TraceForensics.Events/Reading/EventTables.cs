using TraceForensics.Events.Decoding;
using TraceForensics.Events.Dictionary;
using TraceForensics.Events.Model;
using TraceForensics.Ingest.Diagnostics;

namespace TraceForensics.Events.Reading;

/// <summary>What all inputs of one session share: interned strings, the stack table, the event dictionary,
/// the payload decoder and the diagnostics log.</summary>
public sealed class EventTables
{
    public EventTables(EventDictionary? dictionary = null, DiagnosticLog? diagnostics = null)
    {
        Dictionary = dictionary ?? new EventDictionary();
        Diagnostics = diagnostics ?? new DiagnosticLog();
        Decoder = new PayloadDecoder(Strings);
    }

    public Utf8Interner Strings { get; } = new();
    public StackTable Stacks { get; } = new();
    public EventDictionary Dictionary { get; }
    public PayloadDecoder Decoder { get; }
    public DiagnosticLog Diagnostics { get; }
}
