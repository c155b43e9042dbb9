using System.CommandLine;
using TraceForensics.Analysis.Findings;
using TraceForensics.Cli.Findings;
using TraceForensics.Cli.Output;
using TraceForensics.Cli.Reports;
using TraceForensics.Events.Reading;
using TraceForensics.Tui;
using Terminal.Gui.App;

namespace TraceForensics.Cli.Commands;

/// <summary>The UI of <c>tracefx tui</c> (Terminal.Gui), in the managed build only: the native build leaves it to
/// the managed companion (Native/TuiCommand.cs).</summary>
internal static partial class TuiCommand
{
    private static partial int Run(ParseResult parse, CommonOptions common, AnalysisOptionSet analysis, TextWriter stderr)
    {
        if (analysis.Options(parse, stderr) is not { } options) return Program.ExitUsageOrNoInput;
        if (Console.IsInputRedirected || Console.IsOutputRedirected)
        {
            // Keys come from stdin and the screen goes to stdout: without a terminal the UI would wait forever.
            stderr.WriteLine("tracefx: tui needs a terminal on stdin and stdout; `tracefx analyze` prints the findings without one");
            return Program.ExitUsageOrNoInput;
        }
        if (common.DotnetDump(parse) is { } dump)
        {
            // A .NET process dump: its lock findings and chains (no time to move through).
            var dotnet = DotnetReport.FromDump(dump, stderr);
            if (dotnet is null) return Program.ExitUsageOrNoInput;
            using var dumpApp = Application.Create();
            dumpApp.Init();
            var dumpTui = new TraceTui(dumpApp, TuiModel.ForFindings(dotnet.Findings, [dump]), _ => "export a dump's findings with tracefx report");
            dumpApp.Run(dumpTui.Window);
            dumpTui.Window.Dispose();
            return Program.ExitOk;
        }
        // An incident directory of tracefx watch (or a watch's output directory: its latest incident) opens as its inputs.
        string[]? inputs = null;
        string? opened = null;
        var given = parse.GetValue(common.Inputs) ?? [];
        if (given.Length == 1 && Watch.IncidentOpening.Inputs(given[0], out var note) is { } incident) (inputs, opened) = (incident, note);
        using var session = common.OpenSession(parse, stderr, inputs: inputs);
        if (session is null) return Program.ExitUsageOrNoInput;
        if (!session.AnyReadable)
        {
            DiagnosticsPrinter.Print(session.Tables.Diagnostics, stderr);
            return Program.ExitUsageOrNoInput;
        }
        var app = Application.Create();
        app.Init();
        var tui = new TraceTui(app, TuiModel.Empty(session.Inputs.Select(i => i.Path).ToList()), Exporter(session));
        if (opened is not null) tui.Window.Title = $"tracefx: {opened}";
        // Reading and replay run in the background; the findings so far and the tasks at the point reached show as they
        // go, the event log and the time cursor when the load is done. Quitting first stops them.
        using var cancel = new CancellationTokenSource();
        TuiModel? model = null;
        var loading = Task.Run(() =>
        {
            try
            {
                // The count of events read comes with the findings so far (every second): each update redraws the screen,
                // on the cpus the load runs on.
                model = TuiModel.Load(session, options, cancel: cancel.Token, partial: p => app.Invoke(() => tui.Loading(p)),
                                      partialTasks: () => tui.TaskRowsShown);
                app.Invoke(() => tui.SetModel(model));
            }
            catch (OperationCanceledException) { } // quit before the load ended
            catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or ArgumentException)
            {
                app.Invoke(() => tui.LoadFailed(e.Message));
            }
        });
        // The terminal gone (SIGHUP) or a SIGTERM ends the UI as q does: the terminal's screen is given back and the
        // load is stopped, instead of the process ending with the terminal left in the UI's alternate screen.
        using var signals = new TuiSignals(app);
        app.Run(tui.Window);
        cancel.Cancel();
        tui.CancelScan();
        loading.Wait(); // the session is disposed after this: the load must be over (it stops at the next 64k events)
        tui.Scan?.ContinueWith(_ => { }).Wait();
        model?.Events.Dispose(); // a spill file's handle (the file itself was unlinked when made)
        tui.Window.Dispose();
        signals.DisposeApplication(app);
        DiagnosticsPrinter.Print(session.Tables.Diagnostics, stderr);
        return signals.ExitCode(Program.ExitOk);
    }

    /// <summary>Writes the finding as LKML text to tracefx-ID.txt in the current directory; the message for the status line.</summary>
    public static Func<Finding, string> Exporter(TraceSession session, string directory = ".") => finding =>
    {
        var report = new AnalysisReport
        {
            Inputs = session.Inputs,
            InputHashes = session.Inputs.Select(_ => "").ToList(),
            Findings = [finding],
            Diagnostics = session.Tables.Diagnostics,
        };
        var path = Path.Combine(directory, $"tracefx-{finding.Id}.txt");
        var error = new StringWriter();
        return CommandOutput.Emit(path, TextWriter.Null, error, CommandOutput.Text(w => LkmlReportWriter.Write(ReportContext.Build(report), w)))
            ? $"exported {finding.Id} to {path}"
            : error.ToString().Trim();
    };
}
