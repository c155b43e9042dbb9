using System.CommandLine;
using TraceForensics.Cli.Findings;

namespace TraceForensics.Cli.Commands;

/// <summary><c>tracefx dotnet --pid N</c>: attaches to a live .NET process (suspended, always detached) and reports
/// its Monitor deadlocks and blocked chains, as analyze does for a dump.</summary>
internal static class DotnetCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var pid = new Option<int>("--pid") { Description = "The process to attach to", Required = true };
        var format = CommonOptions.TextOrJson();
        var output = CommonOptions.OutputFile();
        var analysis = new AnalysisOptionSet();
        var command = new Command("dotnet", """
            Attach to a live .NET process (suspended while it is read, then detached) and report Monitor deadlocks
            and blocked chains. Dumps (createdump -h) go through `tracefx analyze DUMP`.

            Examples:
              sudo tracefx dotnet --pid 4711
            """);
        command.Add(pid);
        command.Add(format);
        command.Add(output);
        command.Add(analysis.FailOn);
        command.SetAction(parse =>
        {
            int p = parse.GetValue(pid);
            var report = DotnetReport.FromLiveProcess(p, stderr);
            if (report is null) return Program.ExitUsageOrNoInput;
            return AnalyzeCommand.Emit(report, parse, format, output, stdout, stderr) ? analysis.ExitCode(parse, report) : Program.ExitUsageOrNoInput;
        });
        return command;
    }
}
