namespace TraceForensics.Analysis;

/// <summary>What an analysis run is asked: its limits and which findings to keep. Every front end (CLI, TUI, tests)
/// passes the same options to the same entry point, <see cref="TraceAnalysis"/>.</summary>
public sealed record AnalysisOptions
{
    /// <summary>A task blocked at least this long is a stall (default 2 s).</summary>
    public long StallThresholdNs { get; init; } = 2_000_000_000;
    /// <summary>How often (trace time) blocked tasks are checked against the threshold.</summary>
    public long CheckIntervalNs { get; init; } = 100_000_000;
    /// <summary>Keep findings from this trace time on (<c>--since</c>).</summary>
    public long? SinceNs { get; init; }
    /// <summary>Stop the replay after this trace time (<c>--until</c>).</summary>
    public long? UntilNs { get; init; }
    /// <summary>Keep only findings that involve this task (<c>--pid</c>).</summary>
    public int? Pid { get; init; }

    /// <summary>True when the options keep <paramref name="f"/>.</summary>
    public bool Keeps(Findings.Finding f) => (SinceNs is not long since || f.AtNs >= since) && (Pid is not int pid || f.Involves(pid));
}
