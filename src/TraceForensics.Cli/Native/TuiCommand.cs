using System.CommandLine;

namespace TraceForensics.Cli.Commands;

/// <summary><c>tracefx tui</c> in the native build: Terminal.Gui is not compiled in; the UI's own native build
/// (<c>tracefx-tui</c>) runs it, or the managed companion where that is missing (Native/ManagedCompanion.cs).</summary>
internal static partial class TuiCommand
{
    private static partial int Run(ParseResult parse, CommonOptions common, AnalysisOptionSet analysis, TextWriter stderr) =>
        throw new Native.ManagedCompanion.Needed("tracefx tui", userInterface: true);

    private static partial int RunLive(WatchCommand.Settings settings, TextWriter stderr) =>
        throw new Native.ManagedCompanion.Needed("tracefx tui", userInterface: true);
}
