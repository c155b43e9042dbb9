using TraceForensics.Ingest.Formats;
using TraceForensics.Ingest.Input;

namespace TraceForensics.Events.Reading;

/// <summary>What was read from one input: format, lines, events, time span, lost events, and the reason when the
/// input was rejected.</summary>
public sealed class InputSummary(string path)
{
    public string Path { get; } = path;
    public TraceFormat Format { get; internal set; }
    public Compression Compression { get; internal set; }
    /// <summary>Why the input could not be read at all (binary trace, HTML, empty...), else null.</summary>
    public string? Rejection { get; internal set; }
    public long Lines { get; internal set; }
    public long Events { get; internal set; }
    public long Bytes { get; internal set; }
    public long FirstTimestampNs { get; internal set; } = long.MaxValue;
    public long LastTimestampNs { get; internal set; } = long.MinValue;
    public long LostEvents { get; internal set; }
    /// <summary>Stack blocks and callchains read (attached to an event).</summary>
    public long Stacks { get; internal set; }
    public bool HasEvents => Events > 0;
    /// <summary>The SHA-256 of the input file as the analysis read it (see <see cref="OpenedInput.Sha256"/>), once the
    /// reading reached its end; null otherwise.</summary>
    public string? Sha256 => _hashOfRead?.Invoke();
    private Func<string?>? _hashOfRead;
    internal void HashFrom(OpenedInput input) => _hashOfRead = () => input.Sha256;

    /// <summary>A .NET process dump (or a live process): no lines or events, its threads counted as events.</summary>
    public static InputSummary ForDump(string path, int threads) => new(path) { Format = TraceFormat.DotnetDump, Events = threads };
}
