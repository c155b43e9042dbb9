using System.CommandLine;
using TraceForensics.Cli.Findings;
using TraceForensics.Cli.Output;

namespace TraceForensics.Cli.Commands;

/// <summary><c>tracefx analyze &lt;input&gt;... [--format text|json] [-o FILE] [--fail-on ...] [--since T] [--until T] [--pid N]</c>.</summary>
internal static class AnalyzeCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var common = new CommonOptions();
        var analysis = new AnalysisOptionSet();
        var format = CommonOptions.TextOrJson();
        var output = CommonOptions.OutputFile();
        var command = new Command("analyze", """
            Replay the trace and report deadlocks, stalls, hung-task chains, potential deadlocks and notes.

            Examples:
              tracefx analyze trace.txt                      verdict, chains with evidence, stacks
              tracefx analyze trace.txt dmesg.txt            a trace and the kernel log of the same run
              tracefx analyze --format json -o f.json t.txt  findings as traceforensics/findings/v1
              tracefx analyze --fail-on stall t.txt          exit 1 on a stall or worse (CI gate)
            """);
        common.AddTo(command);
        command.Add(format);
        command.Add(output);
        analysis.AddTo(command);
        command.SetAction(parse =>
        {
            using var session = common.OpenSession(parse);
            var report = analysis.Run(parse, session, stderr);
            if (report is null) return Program.ExitUsageOrNoInput;
            DiagnosticsPrinter.Print(session.Tables.Diagnostics, stderr);
            bool json = parse.GetValue(format) == "json";
            if (!CommandOutput.Emit(parse.GetValue(output), stdout, stderr,
                    json ? s => FindingsJsonWriter.Write(report, s) : CommandOutput.Text(w => FindingsTextWriter.Write(report, w))))
                return Program.ExitUsageOrNoInput;
            return analysis.ExitCode(parse, session, report);
        });
        return command;
    }
}
