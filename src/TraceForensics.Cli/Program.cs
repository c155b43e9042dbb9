using System.CommandLine;
using TraceForensics.Cli.Commands;

namespace TraceForensics.Cli;

/// <summary><c>tracefx &lt;command&gt; [options] &lt;input&gt;...</c>; exit codes: 0 done, 1 a finding at or above
/// <c>--fail-on</c>, 2 usage error, no input could be read, or the command failed, 3 done without such a finding but
/// with error diagnostics (part of an input was lost: cut short, unreadable; what was read is analysed). Every command runs inside one
/// error boundary (<see cref="Run"/>): an exception the command did not expect (a broken pipe, a vanished file, a
/// bug) is a one-line message on stderr and exit 2; the .NET stack trace only with <c>--debug</c>.</summary>
public static class Program
{
    public const int ExitOk = 0;
    public const int ExitFinding = 1;
    public const int ExitUsageOrNoInput = 2;
    public const int ExitInputErrors = 3;

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("TraceForensics: kernel-trace replay and deadlock forensics")
        {
            StatsCommand.Create(stdout, stderr),
            AnalyzeCommand.Create(stdout, stderr),
            ReplayCommand.Create(stdout, stderr),
            ReportCommand.Create(stdout, stderr),
            CompletionCommand.Create(stdout),
            RecordCommand.Create(stdout, stderr),
            WatchCommand.Create(stdout, stderr),
            DoctorCommand.Create(stdout, stderr),
            TuiCommand.Create(stderr),
            DotnetCommand.Create(stdout, stderr),
            RulesCommand.Create(stdout, stderr),
            TriageCommand.Create(stdout, stderr),
        };
        var debug = new Option<bool>("--debug") { Description = "On an unexpected error, also print the .NET stack trace", Recursive = true };
        root.Add(debug);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) stderr.WriteLine(Events.Model.UntrustedText.ForTerminal($"tracefx: {error.Message}"));
            stderr.WriteLine("Try 'tracefx --help'.");
            return ExitUsageOrNoInput;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Native.ManagedCompanion.Needed needed)
        {
            // The native build, at a command only the managed build runs (Terminal.Gui, ClrMD): hand it over.
            return Native.ManagedCompanion.Run(args, needed, stdout, stderr);
        }
        catch (Exception e)
        {
            var command = parse.CommandResult.Command.Name;
            var what = e is IOException or UnauthorizedAccessException ? "" : $" ({e.GetType().Name})";
            stderr.WriteLine(Events.Model.UntrustedText.ForTerminal($"tracefx {command}: {e.Message}{what}") +
                             (parse.GetValue(debug) ? "" : "; --debug shows where"));
            if (parse.GetValue(debug)) stderr.WriteLine(Events.Model.UntrustedText.GuardOutput(e.ToString()));
            return ExitUsageOrNoInput;
        }
    }
}
