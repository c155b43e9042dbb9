namespace TraceForensics.Ingest.Diagnostics;

/// <summary>Collects diagnostics for all inputs: every one is counted (per input and per code), the first
/// <see cref="SampleLimit"/> of each code per input are kept with their line, so a file with a million bad
/// lines costs a few counters, not a million records.</summary>
public sealed class DiagnosticLog
{
    private readonly List<Diagnostic> _kept = new();
    private readonly Dictionary<(string Path, string Code), long> _counts = new();
    private readonly Dictionary<string, long> _perPath = new(StringComparer.Ordinal);

    public DiagnosticLog(int sampleLimit = 20) => SampleLimit = sampleLimit;

    /// <summary>How many diagnostics of one code and input are kept with their text.</summary>
    public int SampleLimit { get; }

    /// <summary>Every diagnostic reported, including those not kept.</summary>
    public long Total { get; private set; }

    /// <summary>Every diagnostic of error severity reported (what was lost from an input, not only doubted).</summary>
    public long Errors { get; private set; }

    /// <summary>The kept diagnostics, in the order they were reported.</summary>
    public IReadOnlyList<Diagnostic> Kept => _kept;

    public void Report(string path, long line, DiagnosticSeverity severity, string code, string message)
    {
        Total++;
        if (severity == DiagnosticSeverity.Error) Errors++;
        _perPath[path] = _perPath.GetValueOrDefault(path) + 1;
        var key = (path, code);
        long seen = _counts.GetValueOrDefault(key);
        _counts[key] = seen + 1;
        if (seen < SampleLimit)
            _kept.Add(new Diagnostic(path, line, severity, code, message));
    }

    /// <summary>Number of diagnostics reported for one input.</summary>
    public long CountFor(string path) => _perPath.GetValueOrDefault(path);

    /// <summary>Number of diagnostics of one code for one input.</summary>
    public long CountFor(string path, string code) => _counts.GetValueOrDefault((path, code));

    /// <summary>Per input and code, how many were reported beyond the kept samples.</summary>
    public IEnumerable<(string Path, string Code, long NotShown)> Suppressed() =>
        _counts.Where(kv => kv.Value > SampleLimit)
               .OrderBy(kv => kv.Key.Path, StringComparer.Ordinal).ThenBy(kv => kv.Key.Code, StringComparer.Ordinal)
               .Select(kv => (kv.Key.Path, kv.Key.Code, kv.Value - SampleLimit));
}
