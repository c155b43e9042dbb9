using TraceForensics.Events.Reading;
using TraceForensics.Tests.Support;
using TraceForensics.Tui;
using Terminal.Gui.App;
using Terminal.Gui.Input;
using Terminal.Gui.Testing;

namespace TraceForensics.Tests.Tui;

/// <summary>Headless: Terminal.Gui's ansi driver with redirected output, keys injected, the screen read back.</summary>
[Collection("terminal")] // Terminal.Gui keeps process-wide state: one application at a time
public class TraceTuiTests
{
    private static readonly string Lkml = Path.Combine(TestPaths.SampleTraces, "lkml-xfs-kprobe-holder.ftrace.txt");

    [Fact]
    public void Browses_the_lkml_deadlock_over_time_searches_and_exports()
    {
        using var session = TraceSession.Open([Lkml]);
        var model = TuiModel.Load(session, new TraceForensics.Analysis.AnalysisOptions());
        var exportDir = Directory.CreateTempSubdirectory().FullName;
        var app = Application.Create();
        app.Init("ansi");
        app.Driver!.SetScreenSize(160, 40); // the log lines whole, with the page they name at their end
        var onUiThread = new System.Collections.Concurrent.ConcurrentQueue<Action>();
        var tui = new TraceTui(app, model, TraceForensics.Cli.Commands.TuiCommand.Exporter(session, exportDir), onUiThread.Enqueue);
        var token = app.Begin(tui.Window);
        try
        {
            string Screen() { Settle(tui, onUiThread); app.LayoutAndDraw(true); return app.Driver!.ToString() ?? ""; }

            // The deadlock finding is listed first and its chain shown.
            var screen = Screen();
            Assert.Contains("F1 deadlock 338.900305", screen);
            Assert.Contains("postgres:47211 waits for writeback", screen);

            // x expands the chain: the evidence lines appear.
            app.InjectKey(Key.X);
            screen = Screen();
            Assert.Contains("lkml-xfs-kprobe-holder.ftrace.txt:362 @", screen); // the iomap_add_to_ioend line

            // Before the cycle closes, both tasks run; after it, both are blocked.
            tui.MoveTo(model.IndexAt(338_900_200_000) - 1);
            screen = Screen();
            Assert.Contains("postgres:47211 running", screen);
            Assert.Contains("kworker/u8:9:47190 running", screen);
            app.InjectKey(Key.C);
            screen = Screen();
            Assert.Contains("cursor 338.900305", screen);
            Assert.Contains("postgres:47211 D", screen);
            Assert.Contains("kworker/u8:9:47190 D", screen);
            Assert.Contains("waits for writeback of page 8:16", screen);
            // The timeline strip: blocked waiting for the page's writeback (W) from the cursor (|) on; before it the trace
            // had not seen the task yet (.).
            var postgres = screen.Split('\n').First(l => l.Contains("postgres:47211 D"));
            Assert.Matches(@"\|W+ postgres:47211", postgres);

            // / searches the event log.
            app.InjectKey(new Key('/'));
            foreach (char ch in "unlock") app.InjectKey(new Key(ch));
            app.InjectKey(Key.Enter);
            screen = Screen();
            Assert.Contains("found 'unlock'", screen);
            Assert.Contains("folio_unlock (lkml-xfs-kprobe", screen.Split('\n').Single(l => l.Contains("> ")));

            // g goes to a time; v shows pages and bios there; f filters the log; t steps through one task's events.
            app.InjectKey(Key.G);
            foreach (char ch in "338.9002") app.InjectKey(new Key(ch));
            app.InjectKey(Key.Enter);
            Assert.Contains("cursor 338.900200", Screen());
            app.InjectKey(Key.V);
            screen = Screen();
            Assert.Contains("Pages and bios at cursor", screen);
            Assert.Contains("held by postgres:47211 [observed]", screen);
            Assert.True(System.Text.RegularExpressions.Regex.IsMatch(screen, @"#\d+ bio 8:16 sector 163840 \+ 8 \(1 pages\) built by kworker/u8:9:47190: NOT"), screen);
            app.InjectKey(Key.V);
            app.InjectKey(Key.F);
            foreach (char ch in "47190") app.InjectKey(new Key(ch));
            app.InjectKey(Key.Enter);
            screen = Screen();
            var logLines = screen.Split("\n").Where(l => l.Contains(" [00")).ToList();
            Assert.NotEmpty(logLines);
            Assert.All(logLines, l => Assert.True(l.Contains("47190") || l.Contains("> "), l));
            app.InjectKey(Key.F);
            foreach (char ch in "131:100") app.InjectKey(new Key(ch)); // by page
            app.InjectKey(Key.Enter);
            var pageLines = Screen().Split('\n').Where(l => l.Contains(" [00") && !l.Contains("> ")).ToList();
            Assert.NotEmpty(pageLines);
            Assert.All(pageLines, l => Assert.Contains("131:100", l));
            app.InjectKey(Key.F);
            app.InjectKey(Key.Enter); // empty filter: all lines again

            // Enter on a trace line of the chain puts the log there.
            tui.ShowEvidence(model.Findings[0].Chain[2].Lines[0]);
            Assert.Contains("cursor 338.900012", Screen()); // the iomap_add_to_ioend line

            // e exports the selected finding.
            app.InjectKey(Key.E);
            Assert.Contains("exported F1", Screen());
            var exported = File.ReadAllText(Path.Combine(exportDir, "tracefx-F1.txt"));
            Assert.Contains("TraceForensics: deadlock detected (F1)", exported);
        }
        finally
        {
            app.End(token!);
            tui.Window.Dispose();
            app.Dispose();
            Directory.Delete(exportDir, true);
        }
    }

    /// <summary>Waits for the background search or filter to end (what it left for the UI thread is not run).</summary>
    internal static void WaitForScan(TraceTui tui) => Assert.True(tui.Scan?.Wait(TimeSpan.FromMinutes(5)) ?? false, "no search or filter ended");

    /// <summary>Runs what the background search or filter left for the UI thread, once it is over.</summary>
    internal static void Settle(TraceTui tui, System.Collections.Concurrent.ConcurrentQueue<Action> onUiThread)
    {
        while (true)
        {
            var scan = tui.Scan;
            scan?.Wait();
            while (onUiThread.TryDequeue(out var action)) action();
            if (tui.Scan == scan) return;
        }
    }

    private const string BlockedFiveSeconds =
        "              dd-4005    [001] .....   100.000000: folio_wait_writeback: bdi 8:16: ino=131 index=0\n" +
        "              dd-4005    [001] d..2.   100.000010: sched_switch: prev_comm=dd prev_pid=4005 prev_prio=120 prev_state=D ==> next_comm=swapper/1 next_pid=0 next_prio=120\n" +
        "            bash-3954    [000] .....   105.000000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n";

    /// <summary>The TUI runs the analysis through the same entry point with the same options as analyze: what
    /// --stall-threshold, --since, --until and --pid change there, they change here.</summary>
    [Theory]
    [InlineData(new string[0], 1)]
    [InlineData(new[] { "--stall-threshold", "10" }, 0)]
    [InlineData(new[] { "--since", "100.5" }, 0)]
    [InlineData(new[] { "--until", "101" }, 0)]
    [InlineData(new[] { "--pid", "4005" }, 1)]
    [InlineData(new[] { "--pid", "700" }, 0)]
    public void Tui_findings_follow_the_options_that_change_findings(string[] options, int expected)
    {
        var path = Run.TempFile(BlockedFiveSeconds);
        var (_, json, _) = Run.Cli(["analyze", "--format", "json", .. options, path]);
        Assert.Equal(expected, System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("findings").GetArrayLength());
        // What the tui command does with its options: the finding options of the analysis option set, parsed into
        // AnalysisOptions, given to the TUI's load.
        var set = new TraceForensics.Cli.Commands.AnalysisOptionSet();
        var command = new System.CommandLine.Command("tui") { new System.CommandLine.Argument<string>("input") };
        set.AddFindingOptionsTo(command);
        var parse = command.Parse([.. options, path]);
        Assert.Empty(parse.Errors);
        var analysisOptions = set.Options(parse, TextWriter.Null);
        using var session = TraceSession.Open([path]);
        var model = TuiModel.Load(session, analysisOptions!);
        Assert.Equal(expected, model.Findings.Count);
    }

    [Fact]
    public void Tui_refuses_a_malformed_analysis_option_before_opening_the_terminal()
    {
        var (_, help, _) = Run.Cli("tui", "--help");
        foreach (var option in new[] { "--since", "--until", "--pid", "--stall-threshold", "--events-map", "--input-format" })
            Assert.Contains(option, help);
        var (code, _, err) = Run.Cli("tui", "--since", "yesterday", Lkml);
        Assert.Equal(2, code);
        Assert.Contains("--since wants trace seconds", err);
    }
}
