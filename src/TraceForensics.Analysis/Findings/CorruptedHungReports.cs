using TraceForensics.Events.Reading;
using TraceForensics.Ingest.Diagnostics;

namespace TraceForensics.Analysis.Findings;

/// <summary>A hung-task report whose stack gives no function to be blocked in (google/syzkaller pkg/report: an extractor
/// that finds no frame, or <c>isCorrupted</c>, titles it "INFO: task hung in corrupted") is said so at the report's
/// line, once per report, instead of a guessed function.</summary>
internal static class CorruptedHungReports
{
    public static void Diagnose(IReadOnlyList<Finding> findings, TraceSession session)
    {
        var seen = new HashSet<(int Input, long Line)>();
        foreach (var t in findings.SelectMany(f => f.Tasks))
        {
            if (t.HangReport is not { } h || t.BlockedInCorrupted is not { } why || !seen.Add((h.Input, h.Line))) continue;
            if ((uint)h.Input >= (uint)session.Inputs.Count) continue;
            session.Tables.Diagnostics.Report(session.Inputs[h.Input].Path, h.Line, DiagnosticSeverity.Warning, DiagnosticCodes.CorruptedHungReport,
                $"the hung-task report of {t.Comm}:{t.Pid} names no function it is blocked in ({why}); syzkaller titles such a report " +
                "\"INFO: task hung in corrupted\", so blockedIn is left unknown");
        }
    }
}
