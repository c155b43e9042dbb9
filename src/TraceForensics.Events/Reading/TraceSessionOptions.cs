using TraceForensics.Ingest.Formats;
using TraceForensics.Ingest.Input;

namespace TraceForensics.Events.Reading;

/// <summary>How a session reads its inputs.</summary>
public sealed record TraceSessionOptions
{
    /// <summary>Unknown = detect from content (the default); otherwise every input is read as this format.</summary>
    public TraceFormat Format { get; init; } = TraceFormat.Unknown;

    /// <summary>A user file mapping custom event (probe) names to meanings.</summary>
    public string? EventsMapPath { get; init; }

    /// <summary>Hash each input file (SHA-256) while it is read, for the reports that print it (analyze, report);
    /// <see cref="InputSummary.Sha256"/> stays null without it.</summary>
    public bool HashInputs { get; init; }

    /// <summary>The bounds on line length, stack frames, the events map, inputs and open files (one validated type).</summary>
    public InputLimits Limits { get; init; } = InputLimits.Default;
}
