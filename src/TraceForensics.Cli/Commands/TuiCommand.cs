using System.CommandLine;
using System.CommandLine.Invocation;
using TraceForensics.Tui;

namespace TraceForensics.Cli.Commands;

/// <summary><c>tracefx tui &lt;input&gt;...</c>: the terminal UI.</summary>
internal static partial class TuiCommand
{
    public static Command Create(TextWriter stderr)
    {
        var common = new CommonOptions();
        // No input with --live (checked where the command runs).
        common.Inputs.Arity = ArgumentArity.ZeroOrMore;
        var analysis = new AnalysisOptionSet();
        var live = new Option<bool>("--live") { Description = "Watch this machine's kernel as it runs (root; tracefx watch's options below, incidents written as it writes them)" };
        var command = new Command("tui", $"""
            Browse findings, wait chains, and the state of tasks over time in the terminal.
            An incident directory of tracefx watch opens as its trace and kernel log; a watch's output directory, as its latest incident.

            Keys: {TuiKeys.Line}; x expands the chain.

            Examples:
              tracefx tui trace.txt dmesg.txt
              tracefx tui --stall-threshold 5 --since 370 trace.txt
              tracefx tui /var/log/tracefx/incident-20261203T152900Z
              sudo tracefx tui --live --stall 5 -o /var/log/tracefx
            """);
        common.AddTo(command);
        analysis.AddFindingOptionsTo(command);
        command.Add(live);
        // The watch's own options (the same objects: its parsing makes the settings), run under the UI.
        var watch = WatchCommand.Create(TextWriter.Null, stderr, settings => RunLive(settings, stderr));
        foreach (var o in watch.Options) command.Add(o);
        command.SetAction(parse =>
        {
            var inputs = parse.GetValue(common.Inputs) ?? [];
            if (parse.GetValue(live))
            {
                if (inputs.Length > 0)
                {
                    stderr.WriteLine("tracefx: tui --live reads the running kernel, not input files");
                    return Program.ExitUsageOrNoInput;
                }
                return ((SynchronousCommandLineAction)watch.Action!).Invoke(parse);
            }
            if (inputs.Length == 0)
            {
                stderr.WriteLine("tracefx: tui needs an input (a trace, an incident directory) or --live");
                return Program.ExitUsageOrNoInput;
            }
            return Run(parse, common, analysis, stderr);
        });
        return command;
    }

    /// <summary>Runs the live UI over the watch with <paramref name="settings"/> (TuiLive.cs; the native build hands it to
    /// the managed companion).</summary>
    private static partial int RunLive(WatchCommand.Settings settings, TextWriter stderr);

    /// <summary>Runs the UI: in the managed build (TuiSession.cs) here, in the native build (Native/TuiCommand.cs) by
    /// handing the command line to the managed companion.</summary>
    private static partial int Run(ParseResult parse, CommonOptions common, AnalysisOptionSet analysis, TextWriter stderr);
}
