using CsvHelper;
using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Events.Model;

namespace TraceForensics.Cli.Reports;

/// <summary>CSV tables for spreadsheets and scripts (CsvHelper): findings, chain edges, the blocked tasks of each
/// finding, and with --events the trace lines behind each finding. Text that a spreadsheet would run as a formula
/// (<c>=</c>, <c>@</c>, <c>+</c>, <c>-</c>...) is escaped; control characters are made visible.</summary>
internal static class CsvReportWriter
{
    private static readonly CsvWriterOptions Options = new() { Injection = CsvInjection.Escape, NewLine = "\n" };

    public static IEnumerable<(string Name, Action<Stream> Write)> Tables(ReportContext ctx, bool events)
    {
        var report = ctx.Report;
        yield return ("findings.csv", s => Table(s, ["id", "kind", "at", "root", "tasks", "summary"],
            report.Findings.Select(f => new[]
            {
                f.Id, f.Kind.Name(), TraceTime.Format(f.AtNs), f.Root is null ? "" : NodeId.Format(f.Root), string.Join(" ", f.Tasks.Select(t => $"{t.Comm}/{t.Pid}")), f.Summary,
            })));
        yield return ("chain.csv", s => Table(s, ["finding", "step", "from", "relation", "to", "evidence", "rule", "lines"],
            report.Findings.SelectMany(f => f.Chain.Select((e, i) => new[]
            {
                f.Id, (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), NodeId.Format(e.From), RelationWords.IdOf(e), NodeId.Format(e.To),
                e.Observed ? "observed" : "inferred", e.Rule?.ToString() ?? "", string.Join(" ", e.Lines.Select(ctx.RawWhere)),
            }))));
        yield return ("tasks.csv", s => Table(s, ["finding", "pid", "comm", "blocked_since", "blocked_until", "blocked_in", "hung_reported_at"],
            report.Findings.SelectMany(f => f.Tasks.Select(t => new[]
            {
                f.Id, t.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), t.Comm,
                t.SinceUnknown ? "" : TraceTime.Format(t.BlockedSinceNs), t.BlockedUntilNs is long until ? TraceTime.Format(until) : "", t.BlockedIn ?? "",
                t.HangReport is { } h ? TraceTime.Format(h.TimestampNs) : "",
            }))));
        if (events)
            yield return ("events.csv", s => Table(s, ["finding", "path", "line", "time", "text"],
                report.Findings.SelectMany(f => f.Chain.SelectMany(e => e.Lines).Distinct().OrderBy(l => l.Input).ThenBy(l => l.Line)
                    .Select(l => new[] { f.Id, report.PathOf(l.Input), l.Line.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        TraceTime.Format(l.TimestampNs), ctx.RawText(l) ?? "" }))));
    }

    private static void Table(Stream s, string[] header, IEnumerable<string[]> rows)
    {
        using var csv = CsvWriter.Create(s, Options, leaveOpen: true);
        csv.WriteRecord(header);
        foreach (var row in rows) csv.WriteRecord(row.Select(UntrustedText.ForTerminal).ToArray());
        csv.Flush();
    }
}
