using System.CommandLine;
using TraceForensics.Cli.Output;
using TraceForensics.Cli.Stats;

namespace TraceForensics.Cli.Commands;

/// <summary><c>tracefx stats &lt;input&gt;... [--format text|json] [-o FILE]</c>: what was read.</summary>
internal static class StatsCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var common = new CommonOptions();
        var format = CommonOptions.TextOrJson();
        var output = CommonOptions.OutputFile();
        var command = new Command("stats", """
            What was read: inputs, formats, events by name with their meaning, tasks, stacks, diagnostics.

            Examples:
              tracefx stats trace.txt                    a summary per input and events by count
              tracefx stats --format json trace.txt.gz   traceforensics/stats/v1
              trace-cmd report | tracefx stats -         from stdin
            """);
        common.AddTo(command);
        command.Add(format);
        command.Add(output);
        command.SetAction(parse =>
        {
            using var session = common.OpenSession(parse, stderr, readsOnly: true);
            if (session is null) return Program.ExitUsageOrNoInput;
            var stats = TraceStatistics.Collect(session);
            DiagnosticsPrinter.Print(stats.Diagnostics, stderr);
            bool json = parse.GetValue(format) == "json";
            if (!CommandOutput.Emit(parse.GetValue(output), stdout, stderr,
                    json ? s => StatsJsonWriter.Write(stats, s) : CommandOutput.Text(w => StatsTextWriter.Write(stats, w))))
                return Program.ExitUsageOrNoInput;
            return !session.AnyReadable ? Program.ExitUsageOrNoInput
                : stats.Diagnostics.Errors > 0 ? Program.ExitInputErrors : Program.ExitOk;
        });
        return command;
    }
}
