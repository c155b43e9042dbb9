using System.CommandLine;
using TraceForensics.Cli.Findings;
using TraceForensics.Cli.Output;
using TraceForensics.Cli.Reports;

namespace TraceForensics.Cli.Commands;

/// <summary><c>tracefx report &lt;input&gt;... --format lkml|markdown|json|csv|dot|svg [-o PATH]</c>: exports for bug
/// reports. Files are written atomically; csv writes several tables into the directory given with -o.</summary>
internal static class ReportCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var common = new CommonOptions();
        var analysis = new AnalysisOptionSet();
        var format = new Option<string>("--format") { Description = "Export format", DefaultValueFactory = _ => "lkml" };
        format.AcceptOnlyFromAmong("lkml", "markdown", "json", "csv", "dot", "svg");
        var output = CommonOptions.OutputFile();
        output.Description = "Write to this file (a directory for csv), atomically; stdout when absent (not for csv)";
        var events = new Option<bool>("--events") { Description = "csv: also the trace lines behind each finding (events.csv)" };
        var command = new Command("report", """
            Export the findings for a bug report.

            Formats: lkml (plain text within 80 columns, for a mail to a kernel list), markdown (GitHub, GitLab,
            Bugzilla), json (traceforensics/findings/v1), csv (findings.csv, chain.csv, tasks.csv and with --events
            events.csv into the directory -o names), dot (Graphviz), svg (rendered by Graphviz's dot).

            Examples:
              tracefx report --format lkml trace.txt > mail.txt
              tracefx report --format markdown -o issue.md trace.txt dmesg.txt
              tracefx report --format csv --events -o findings/ trace.txt
              tracefx report --format svg -o chain.svg trace.txt
            """);
        common.AddTo(command);
        command.Add(format);
        command.Add(output);
        command.Add(events);
        analysis.AddTo(command);
        command.SetAction(parse =>
        {
            var kind = parse.GetValue(format)!;
            var path = parse.GetValue(output);
            if (kind == "csv" && path is null)
            {
                stderr.WriteLine("tracefx: --format csv writes several tables: name a directory with -o DIR");
                return Program.ExitUsageOrNoInput;
            }
            if (common.DotnetDump(parse) is { } dump)
            {
                // A .NET process dump: the same exports of its lock findings.
                var dotnet = DotnetReport.FromDump(dump, stderr);
                if (dotnet is null) return Program.ExitUsageOrNoInput;
                DiagnosticsPrinter.Print(dotnet.Diagnostics, stderr);
                return Export(kind, path, ReportContext.Build(dotnet), parse.GetValue(events), stdout, stderr)
                    ? analysis.ExitCode(parse, dotnet) : Program.ExitUsageOrNoInput;
            }
            using var session = common.OpenSession(parse, stderr, hashInputs: true); // the reports print each input's SHA-256
            if (session is null) return Program.ExitUsageOrNoInput;
            var report = analysis.Run(parse, session, stderr);
            if (report is null) return Program.ExitUsageOrNoInput;
            DiagnosticsPrinter.Print(session.Tables.Diagnostics, stderr);
            if (!session.AnyReadable)
            {
                stderr.WriteLine("tracefx: no input could be read; no report");
                return Program.ExitUsageOrNoInput;
            }
            var ctx = ReportContext.Build(report);
            if (!Export(kind, path, ctx, parse.GetValue(events), stdout, stderr)) return Program.ExitUsageOrNoInput;
            return analysis.ExitCode(parse, report);
        });
        return command;
    }

    private static bool Export(string kind, string? path, ReportContext ctx, bool events, TextWriter stdout, TextWriter stderr) => kind switch
    {
        "lkml" => CommandOutput.Emit(path, stdout, stderr, CommandOutput.Text(w => LkmlReportWriter.Write(ctx, w))),
        "markdown" => CommandOutput.Emit(path, stdout, stderr, CommandOutput.Text(w => MarkdownReportWriter.Write(ctx, w))),
        "json" => CommandOutput.Emit(path, stdout, stderr, s => FindingsJsonWriter.Write(ctx.Report, s)),
        "dot" => CommandOutput.Emit(path, stdout, stderr, CommandOutput.Text(w => DotReportWriter.Write(ctx, w))),
        "svg" => WriteSvg(ctx, path, stdout, stderr),
        _ => WriteCsv(ctx, path!, events, stderr),
    };

    private static bool WriteSvg(ReportContext ctx, string? path, TextWriter stdout, TextWriter stderr)
    {
        var dot = new StringWriter { NewLine = "\n" };
        DotReportWriter.Write(ctx, dot);
        var svg = SvgRenderer.Render(dot.ToString(), out var error);
        if (svg is null)
        {
            stderr.WriteLine(Events.Model.UntrustedText.ForTerminal($"tracefx: {error}"));
            return false;
        }
        return CommandOutput.Emit(path, stdout, stderr, s => s.Write(svg));
    }

    private static bool WriteCsv(ReportContext ctx, string dir, bool events, TextWriter stderr)
    {
        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine(Events.Model.UntrustedText.ForTerminal($"tracefx: cannot create {dir}: {e.Message}"));
            return false;
        }
        // The tables are one set: all written beside their targets first, then put in place (a full disk changes none).
        return CommandOutput.EmitSet(dir, CsvReportWriter.Tables(ctx, events), stderr);
    }
}
