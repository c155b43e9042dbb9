namespace TraceForensics.Ingest.Input;

/// <summary>What <see cref="LineReader.Read"/> found.</summary>
public enum LineStatus
{
    /// <summary>A line (without its newline and carriage return).</summary>
    Line,
    /// <summary>A line longer than the limit: skipped up to its newline; the span is its first bytes.</summary>
    Overlong,
    /// <summary>No more input.</summary>
    End,
}
