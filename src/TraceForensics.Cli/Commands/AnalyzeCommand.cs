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
            if (common.DotnetDump(parse) is { } dump)
            {
                var dotnet = DotnetReport.FromDump(dump, stderr);
                if (dotnet is null) return Program.ExitUsageOrNoInput;
                return Emit(dotnet, parse, format, output, stdout, stderr)
                    ? analysis.ExitCode(parse, dotnet) : Program.ExitUsageOrNoInput;
            }
            // The JSON findings carry each input's SHA-256; the text prints none, and hashing is about a sixth of the
            // work on a large text input (issue 15: OpenSSL's SHA-256 was 15 % of analyze's samples on the benchmark file).
            bool hashes = parse.GetValue(format) == "json";
            using var session = common.OpenSession(parse, stderr, hashInputs: hashes);
            if (session is null) return Program.ExitUsageOrNoInput;
            var report = analysis.Run(parse, session, stderr, hashes);
            if (report is null) return Program.ExitUsageOrNoInput;
            if (!session.AnyReadable)
            {
                // No input could be read: no verdict (a "clean" of nothing read would be a confident wrong answer).
                DiagnosticsPrinter.Print(report.Diagnostics, stderr);
                stderr.WriteLine("tracefx: no input could be read; no verdict");
                return Program.ExitUsageOrNoInput;
            }
            if (!Emit(report, parse, format, output, stdout, stderr)) return Program.ExitUsageOrNoInput;
            return analysis.ExitCode(parse, report);
        });
        return command;
    }

    /// <summary>Prints the diagnostics and writes the findings (text or json) to -o or stdout.</summary>
    public static bool Emit(AnalysisReport report, ParseResult parse, Option<string> format, Option<string?> output, TextWriter stdout, TextWriter stderr)
    {
        DiagnosticsPrinter.Print(report.Diagnostics, stderr);
        bool json = parse.GetValue(format) == "json";
        return CommandOutput.Emit(parse.GetValue(output), stdout, stderr,
            json ? s => FindingsJsonWriter.Write(report, s) : CommandOutput.Text(w => FindingsTextWriter.Write(report, w)));
    }
}
