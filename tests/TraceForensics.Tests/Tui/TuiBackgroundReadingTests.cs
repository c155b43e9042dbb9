using System.IO.Compression;
using System.Text.RegularExpressions;
using TraceForensics.Analysis;
using TraceForensics.Events.Model;
using TraceForensics.Events.Reading;
using TraceForensics.Tui;

namespace TraceForensics.Tests.Tui;

/// <summary>The UI stays live while the log is read: the spill file of a compressed input is made on the load's thread
/// (the screen drawn meanwhile), t/T read in the background like a search, the filter's walk back over an input read
/// from its start reads it once (not once per block), and how each input is read again is decided once.</summary>
[Collection("terminal")]
public class TuiBackgroundReadingTests
{
    private static string Gzip(string plain)
    {
        var gz = plain + ".gz";
        using var from = File.OpenRead(plain);
        using var to = new GZipStream(File.Create(gz), CompressionLevel.Fastest);
        from.CopyTo(to);
        return gz;
    }

    private static T Finished<T>(Task<T> task) => task.Wait(TimeSpan.FromMinutes(5)) ? task.Result : throw new TimeoutException("the load did not end");

    [Fact]
    public void The_spill_file_is_made_on_the_load_thread_while_the_screen_is_drawn()
    {
        using var dir = new TempDirectory();
        var gz = Gzip(TuiLargeTraceTests.Generate(60_000, dir.Path));
        using var session = TraceSession.Open([gz]);
        using var ui = new HeadlessTui(TuiModel.Empty([gz]), 200, 50);
        var staged = new ManualResetEventSlim();
        var go = new ManualResetEventSlim();
        int uiThread = Environment.CurrentManagedThreadId;
        // The hook: the load posts its progress to the UI (as `tui` does) and, at the spill stage, waits for the test.
        var load = Task.Run(() => TuiModel.Load(session, new AnalysisOptions(), partialEvery: TimeSpan.Zero, partial: p =>
        {
            Assert.NotEqual(uiThread, Environment.CurrentManagedThreadId);
            ui.OnUiThread.Enqueue(() => ui.Tui.Loading(p));
            if (p.Stage is not null) { staged.Set(); go.Wait(); }
        }));
        try
        {
            Assert.True(staged.Wait(TimeSpan.FromMinutes(5)), "the load never reached the spill stage");
            while (ui.OnUiThread.TryDequeue(out var action)) action();
            // The screen is drawn while the spill is not made yet: the findings so far, and what the load does.
            var screen = ui.Screen();
            Assert.Contains("F1 hung-task (provisional)", screen);
            Assert.Contains("decompressing the compressed input into a spill file", screen);
            Assert.False(load.IsCompleted);
        }
        finally { go.Set(); }
        var model = Finished(load);
        // The log came with its spill file made: the UI thread does not decompress when it first shows the log.
        Assert.Matches(@"^spill file in TMPDIR, [1-9][0-9]* MB, removed on exit$", model.Events.Reading);
        Assert.Equal(0, model.Events.EventsDecoded);
        ui.Tui.SetModel(model);
        ui.Key('G');
        var end = ui.Screen();
        Assert.Contains("log: spill file in TMPDIR", end);
        Assert.Contains("lasttask-999 sched_switch", end.Split('\n').Single(l => l.Contains("> ")));
        model.Events.Dispose();
    }

    [Fact]
    public void t_and_T_read_in_the_background_with_progress_and_Esc_cancels()
    {
        using var dir = new TempDirectory();
        const int switches = 300_000;
        var path = TuiLargeTraceTests.Generate(switches, dir.Path);
        using var session = TraceSession.Open([path]);
        var model = TuiModel.Load(session, new AnalysisOptions());
        using var ui = new HeadlessTui(model, 200, 50);
        bool Of(int i, int pid) => model.Events[i].Pid == pid || model.Events[i].Payload.OtherPid == pid;

        ui.Tui.MoveTo(1000);
        ui.Screen();
        const int pid = 1005;
        ui.Tui.SelectTask(pid);
        int next = Enumerable.Range(1001, model.Events.Count - 1001).First(i => Of(i, pid));
        ui.Key('t');
        Assert.Contains($"next event of {pid}... (Esc cancels)", ui.Screen());
        ui.Settled();
        Assert.Equal(next, ui.Tui.Cursor);
        Assert.Equal(pid, ui.Tui.SelectedTaskPid);
        ui.Key('T');
        ui.Settled();
        Assert.Equal(Enumerable.Range(0, next).Last(i => Of(i, pid)), ui.Tui.Cursor);

        // The hung-task report's task has no event after it: t reads to the end, with progress, and says so; T finds it.
        int hang = model.Events.LastHangReport;
        ui.Tui.MoveTo(hang + 1);
        ui.Screen();
        ui.Tui.SelectTask(60);
        Assert.Equal(60, ui.Tui.SelectedTaskPid);
        ui.Key('t');
        TraceTuiTests.WaitForScan(ui.Tui);
        Assert.True(ui.OnUiThread.TryDequeue(out var first));
        first();
        Assert.Contains($"next event of 60: 65,536 of {switches + 2:N0} events read", ui.Screen());
        Assert.Contains("no more events of that task", ui.Settled());
        Assert.Equal(hang + 1, ui.Tui.Cursor);
        ui.Key('T');
        ui.Settled();
        Assert.Equal(hang, ui.Tui.Cursor);

        // Esc cancels a reading to the end for nothing; the cursor stays.
        ui.Tui.MoveTo(hang + 1);
        ui.Screen();
        ui.Tui.SelectTask(60);
        ui.Key('t');
        ui.Esc();
        var screen = ui.Settled();
        Assert.Contains("next event of 60: cancelled", screen);
        Assert.Equal(hang + 1, ui.Tui.Cursor);
    }

    /// <summary>Over a compressed input too large to spill (read again from its start), the filter's walk back from the
    /// end to a rare match reads the input about once; block by block it would read it again for each block (about
    /// blocks/2 times). The matches are those of the same trace read at offsets.</summary>
    [Fact]
    public void The_filter_walks_back_over_an_input_read_from_its_start_in_one_pass()
    {
        using var dir = new TempDirectory();
        const int switches = 40_000;
        var plain = TuiLargeTraceTests.Generate(switches, dir.Path);
        var gz = Gzip(plain);
        List<string> Filtered(string path)
        {
            using var session = TraceSession.Open([path]);
            var model = TuiModel.Load(session, new AnalysisOptions());
            using var ui = new HeadlessTui(model, 200, 50);
            ui.Tui.MoveTo(model.Events.Count - 1);
            ui.Screen();
            long before = model.Events.EventsDecoded;
            ui.Key('f');
            ui.Type("khungtaskd"); // one match, two thirds in: the walk back goes to the start
            var log = ui.Settled().Split('\n').Where(l => l.Contains("big.ftrace.txt")).ToList();
            long read = model.Events.EventsDecoded - before;
            Assert.Equal(path == gz ? "re-read from the start (over the spill bound)" : "offsets", model.Events.Reading);
            Assert.Equal(path != gz, model.Events.AtOffsets);
            // Back to the start once, and on from the cursor's block (from the start again when read from the start);
            // block by block back it was about 20 times the log.
            Assert.True(read < 3L * model.Events.Count, $"{read:N0} events decoded for a log of {model.Events.Count:N0}");
            // The lines without the input's name (and the padding after it): the cursor mark, time, cpu, task, event.
            return log.Select(l => Regex.Match(l, @"[> ] [0-9.]+ \[[0-9]+\] \S+ \S+").Value).ToList();
        }
        var atOffsets = Filtered(plain);
        Environment.SetEnvironmentVariable("TRACEFX_TUI_SPILL_MAX", "1000");
        List<string> fromStart;
        try { fromStart = Filtered(gz); }
        finally { Environment.SetEnvironmentVariable("TRACEFX_TUI_SPILL_MAX", null); }
        Assert.Equal(2, atOffsets.Count); // the match and the cursor's line
        Assert.Contains(atOffsets, l => l.Contains("khungtaskd-60 sched_process_hang"));
        Assert.Contains(atOffsets, l => l.Contains("> ") && l.Contains("lasttask-999"));
        Assert.Equal(atOffsets, fromStart);
    }

    /// <summary>How an input is read again is decided when the load ends: a file gone since then is not looked for at
    /// every status update, and its events show as gaps, not a crash.</summary>
    [Fact]
    public void How_an_input_is_read_again_is_decided_once_and_a_file_gone_since_shows_as_gaps()
    {
        using var dir = new TempDirectory();
        var path = TuiLargeTraceTests.Generate(5_000, dir.Path);
        using var session = TraceSession.Open([path]);
        var model = TuiModel.Load(session, new AnalysisOptions());
        Assert.Equal("offsets", model.Events.Reading);
        File.Move(path, path + ".moved");
        Assert.Equal("offsets", model.Events.Reading);
        Assert.Equal(EventKind.TraceGap, model.Events[model.Events.Count - 1].Kind);
        using var ui = new HeadlessTui(model, 200, 50);
        ui.Key('G');
        Assert.Contains("(input changed since it was read)", ui.Screen());
    }

    /// <summary>A filter typed before the cursor has moved (the start, where the UI opens) reads the log once and shows
    /// its matches: the start (cursor -1) is within what the filter read from event 0 on. It was taken for a cursor
    /// outside it, so each filter's end started the filter again, and the UI waited for it for ever (only Esc and q
    /// worked).</summary>
    [Fact]
    public void A_filter_at_the_start_reads_the_log_once_and_shows_its_matches()
    {
        using var session = TraceSession.Open([Path.Combine(TraceForensics.Tests.Support.TestPaths.SampleTraces, "lkml-xfs-kprobe-holder.ftrace.txt")]);
        var model = TuiModel.Load(session, new AnalysisOptions());
        using var ui = new HeadlessTui(model, 160, 40);
        Assert.Equal(-1, ui.Tui.Cursor);
        ui.Key('f');
        ui.Type("47190");
        int scans = 0;
        for (var scan = ui.Tui.Scan; scan is not null && scans < 5; scans++)
        {
            TraceTuiTests.WaitForScan(ui.Tui);
            while (ui.OnUiThread.TryDequeue(out var action)) action();
            if (ui.Tui.Scan == scan) break;
            scan = ui.Tui.Scan;
        }
        Assert.Equal(0, scans); // one reading, over after the first round
        var screen = ui.Screen();
        Assert.DoesNotContain("filtering", screen);
        var log = screen.Split('\n').Where(l => l.Contains(" [00")).ToList();
        Assert.NotEmpty(log);
        Assert.All(log, l => Assert.Contains("47190", l));
        ui.Key('n'); // keys work again: the cursor moves
        Assert.Equal(0, ui.Tui.Cursor);
    }

    /// <summary>Esc with nothing to cancel (a search already over, no prompt) does nothing: it is Terminal.Gui's quit key
    /// by default, and closed the UI; q quits.</summary>
    [Fact]
    public void Esc_with_nothing_to_cancel_is_kept_from_the_quit_key()
    {
        using var session = TraceSession.Open([Path.Combine(TraceForensics.Tests.Support.TestPaths.SampleTraces, "lkml-xfs-kprobe-holder.ftrace.txt")]);
        using var ui = new HeadlessTui(TuiModel.Load(session, new AnalysisOptions()), 160, 40);
        var window = (Terminal.Gui.App.IRunnable)ui.Tui.Window;
        ui.Key('/');
        ui.Type("unlock"); // a search, over
        ui.Settled();
        ui.Esc();
        Assert.False(window.StopRequested);
        Assert.Contains("found 'unlock'", ui.Screen());
        ui.Key('q');
        Assert.True(window.StopRequested);
    }

    /// <summary>What is typed at a prompt shows whole, '_' too (a Label took the first '_' for a hot key mark and hid
    /// it: "sched_switch" showed as "schedswitch"), and so does the status line's message.</summary>
    [Fact]
    public void An_underscore_typed_at_the_prompt_and_in_the_message_is_shown()
    {
        using var session = TraceSession.Open([Path.Combine(TraceForensics.Tests.Support.TestPaths.SampleTraces, "lkml-xfs-kprobe-holder.ftrace.txt")]);
        using var ui = new HeadlessTui(TuiModel.Load(session, new AnalysisOptions()), 160, 40);
        ui.Key('/');
        foreach (char c in "folio_unlock") ui.Key(c);
        Assert.Contains("search: folio_unlock", ui.Screen());
        ui.Type(""); // Enter
        Assert.Contains("found 'folio_unlock'", ui.Settled());
    }

    /// <summary>Ctrl-C quits, at a prompt too (the terminal is raw: it is a key, not SIGINT, and did nothing).</summary>
    [Fact]
    public void Ctrl_C_quits_even_at_a_prompt()
    {
        using var session = TraceSession.Open([Path.Combine(TraceForensics.Tests.Support.TestPaths.SampleTraces, "lkml-xfs-kprobe-holder.ftrace.txt")]);
        using var ui = new HeadlessTui(TuiModel.Load(session, new AnalysisOptions()), 160, 40);
        var window = (Terminal.Gui.App.IRunnable)ui.Tui.Window;
        ui.Key('/');
        ui.Key('x');
        Assert.False(window.StopRequested);
        ui.CtrlC();
        Assert.True(window.StopRequested);
    }
}
