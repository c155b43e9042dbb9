namespace TraceForensics.Ingest.Diagnostics;

/// <summary>How bad a diagnostic is. Info explains something expected (a lost-events marker, a header);
/// Warning means data was skipped or may be wrong; Error means an input could not be read further.</summary>
public enum DiagnosticSeverity
{
    Info,
    Warning,
    Error,
}
