using System.CommandLine;
using TraceForensics.Tui;

namespace TraceForensics.Cli.Commands;

/// <summary><c>tracefx tui &lt;input&gt;...</c>: the terminal UI.</summary>
internal static partial class TuiCommand
{
    public static Command Create(TextWriter stderr)
    {
        var common = new CommonOptions();
        var analysis = new AnalysisOptionSet();
        var command = new Command("tui", $"""
            Browse findings, wait chains, and the state of tasks over time in the terminal.

            Keys: {TuiKeys.Line}; x expands the chain.

            Examples:
              tracefx tui trace.txt dmesg.txt
              tracefx tui --stall-threshold 5 --since 370 trace.txt
            """);
        common.AddTo(command);
        analysis.AddFindingOptionsTo(command);
        command.SetAction(parse => Run(parse, common, analysis, stderr));
        return command;
    }

    /// <summary>Runs the UI: in the managed build (TuiSession.cs) here, in the native build (Native/TuiCommand.cs) by
    /// handing the command line to the managed companion.</summary>
    private static partial int Run(ParseResult parse, CommonOptions common, AnalysisOptionSet analysis, TextWriter stderr);
}
