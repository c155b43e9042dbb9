namespace TraceForensics.Ingest.Formats;

/// <summary>The format detected for an input, or why it cannot be read (<see cref="Format"/> is Unknown).</summary>
public readonly record struct FormatDetection(TraceFormat Format, string? Rejection);
