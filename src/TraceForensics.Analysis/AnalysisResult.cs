using TraceForensics.Analysis.Findings;
using TraceForensics.Events.Reading;
using TraceForensics.Ingest.Diagnostics;

namespace TraceForensics.Analysis;

/// <summary>What a run found: the inputs as read, the ranked findings, the diagnostics, the number of events.</summary>
public sealed record AnalysisResult(IReadOnlyList<InputSummary> Inputs, IReadOnlyList<Finding> Findings, DiagnosticLog Diagnostics, long Events);
