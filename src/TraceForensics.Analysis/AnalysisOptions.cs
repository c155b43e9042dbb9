namespace TraceForensics.Analysis;

/// <summary>Limits of an analysis run.</summary>
public sealed record AnalysisOptions
{
    /// <summary>A task blocked at least this long is a stall (default 2 s).</summary>
    public long StallThresholdNs { get; init; } = 2_000_000_000;
    /// <summary>How often (trace time) blocked tasks are checked against the threshold.</summary>
    public long CheckIntervalNs { get; init; } = 100_000_000;
}
