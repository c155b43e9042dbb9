using System.Runtime.InteropServices;
using TraceForensics.Analysis;
using TraceForensics.Cli.Watch;
using TraceForensics.Tui;
using Terminal.Gui.App;

namespace TraceForensics.Cli.Commands;

/// <summary><c>tracefx tui --live [watch options]</c>, in the managed build: the watch runs in this process
/// (<see cref="WatchFeed"/>: armed, replayed and writing incidents as <c>tracefx watch</c>), and the UI shows its events
/// as they come (<see cref="LiveFeed"/>, <see cref="TraceTui.Live"/>): findings as they form, the cursor following the
/// end unless moved. Quitting stops the watch, which undoes what it armed; its lines (incidents written) are printed on
/// stderr then.</summary>
internal static partial class TuiCommand
{
    private static partial int RunLive(WatchCommand.Settings settings, TextWriter stderr)
    {
        if (RecordCommand.TracefsAsRoot("tui --live", stderr) is null) return Program.ExitUsageOrNoInput;
        if (Console.IsInputRedirected || Console.IsOutputRedirected)
        {
            stderr.WriteLine("tracefx: tui needs a terminal on stdin and stdout; `tracefx watch` watches without one");
            return Program.ExitUsageOrNoInput;
        }
        var feed = new WatchFeed(settings);
        try
        {
            if (!feed.WaitArmed()) return feed.Exit ?? Program.ExitUsageOrNoInput; // its lines say why (below)
            var app = Application.Create();
            app.Init();
            var tui = new TraceTui(app, TuiModel.Live(feed.Name, feed.Stacks),
                _ => "a live finding is exported with its incident (findings.lkml.txt in the incident directory)");
            using var cancel = new CancellationTokenSource();
            // The same stall time as the watch's incidents.
            var running = tui.RunLive(new LiveFeed(feed, new AnalysisOptions { StallThresholdNs = settings.StallNs }), cancel.Token);
            // The watch takes SIGHUP for log rotation and SIGTERM to stop watching; here the terminal gone (SIGHUP) or a
            // SIGTERM ends the UI too, so the watch is stopped and disarmed below instead of left running unseen.
            var signals = new TuiSignals(app);
            try
            {
                app.Run(tui.Window);
            }
            finally
            {
                // The watch stops (and disarms) first, whatever ended the UI.
                cancel.Cancel();
                feed.Dispose();
                tui.CancelScan();
                running.Wait();
                tui.Scan?.ContinueWith(_ => { }).Wait();
                tui.Window.Dispose();
                // The watch has disarmed above; the terminal is given back (for a bounded time after a signal).
                signals.DisposeApplication(app);
                signals.Dispose();
            }
            return signals.ExitCode(Program.ExitOk);
        }
        finally
        {
            feed.Dispose(); // stops the watch and waits for it to disarm
            foreach (var line in feed.Said) stderr.WriteLine(line);
        }
    }
}
