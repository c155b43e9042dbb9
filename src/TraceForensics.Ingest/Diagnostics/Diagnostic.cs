namespace TraceForensics.Ingest.Diagnostics;

/// <summary>One problem found while reading an input: where (path, 1-based line, 0 when it concerns the whole
/// input), how bad, a stable code scripts can match on, and a message for people.</summary>
public sealed record Diagnostic(string Path, long Line, DiagnosticSeverity Severity, string Code, string Message)
{
    public override string ToString() =>
        Line > 0 ? $"{Path}:{Line}: {SeverityName(Severity)}: {Message} [{Code}]"
                 : $"{Path}: {SeverityName(Severity)}: {Message} [{Code}]";

    public static string SeverityName(DiagnosticSeverity severity) => severity switch
    {
        DiagnosticSeverity.Info => "info",
        DiagnosticSeverity.Warning => "warning",
        _ => "error",
    };
}
