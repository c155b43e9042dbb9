using System.IO.Compression;
using TraceForensics.Analysis;
using TraceForensics.Events.Reading;
using TraceForensics.Tests.Support;
using TraceForensics.Tui;

namespace TraceForensics.Tests.Tui;

/// <summary>The TUI while a large trace loads and after: findings and tasks shown as the load goes (provisional until
/// the end), search and filter reading the log in the background with progress and Esc, the strips' spans and zoom,
/// compressed, trace.dat and kernel-log inputs read again.</summary>
[Collection("terminal")]
public class TuiStreamingTests
{
    [Fact]
    public void Findings_and_tasks_show_while_the_load_goes_on_marked_provisional()
    {
        using var dir = new TempDirectory();
        const int switches = 60_000;
        var path = TuiLargeTraceTests.Generate(switches, dir.Path); // a hung-task report two thirds in
        var partials = new List<LoadProgress>();
        using var session = TraceSession.Open([path]);
        var model = TuiModel.Load(session, new AnalysisOptions(), partial: partials.Add, partialEvery: TimeSpan.Zero);
        // Every 4096 events, from the one analysis: the report's finding appears from its event on, not before.
        Assert.True(partials.Count >= switches / 4096 - 1, $"{partials.Count} partial results");
        Assert.All(partials, p => Assert.True(p.Events < switches + 2));
        Assert.Empty(partials.First().Findings);
        Assert.Contains(partials, p => p.Events < switches * 2 / 3 && p.Findings.Count == 0);
        var found = partials.Where(p => p.Findings.Count > 0).ToList();
        Assert.NotEmpty(found);
        Assert.All(found, p => Assert.True(p.Events > switches * 2 / 3));
        Assert.Equal(model.Findings.Select(f => f.Kind), found[^1].Findings.Select(f => f.Kind));
        Assert.Contains(partials[^1].Tasks, t => t.Line.Contains("task10"));

        using var ui = new HeadlessTui(TuiModel.Empty([path]));
        ui.Tui.Loading(found[^1]);
        var screen = ui.Screen();
        Assert.Contains("F1 hung-task (provisional)", screen);
        Assert.Contains($"loading: {found[^1].Events:N0} events read", screen);
        Assert.Contains("(loading)", screen); // the tasks at the point the load reached
        Assert.Contains(found[^1].Tasks[0].Line[..20], screen);
        ui.Tui.SetModel(model);
        screen = ui.Screen();
        Assert.Contains("F1 hung-task ", screen);
        Assert.DoesNotContain("provisional", screen);
        Assert.Contains("log: offsets", screen);
    }

    /// <summary>While loading, the load makes lines only for the tasks the view shows (its height, once laid out), and
    /// the view is given them; the 37 tasks of the trace are all listed once the load ends.</summary>
    [Fact]
    public void While_loading_only_the_tasks_the_view_shows_are_made()
    {
        using var dir = new TempDirectory();
        var path = TuiLargeTraceTests.Generate(20_000, dir.Path); // 37 tasks
        using var ui = new HeadlessTui(TuiModel.Empty([path]), 200, 50);
        ui.Screen();
        var partials = new List<LoadProgress>();
        using var session = TraceSession.Open([path]);
        var model = TuiModel.Load(session, new AnalysisOptions(), partialEvery: TimeSpan.Zero, partialTasks: () => ui.Tui.TaskRowsShown,
                                  partial: p => { partials.Add(p); ui.Tui.Loading(p); });
        int rows = ui.Tui.TaskRowsShown;
        Assert.InRange(rows, 3, 20); // a quarter of 50 rows, less the frame
        Assert.True(partials.Count >= 3, $"{partials.Count} partial results");
        Assert.Equal(37, partials[0].Tasks.Count); // before the view said its height: all of them
        Assert.All(partials.Skip(1), p => Assert.Equal(rows, p.Tasks.Count));
        var screen = ui.Screen();
        Assert.Contains(partials[^1].Tasks[0].Line[..20], screen);
        Assert.Contains("(loading)", screen);
        ui.Tui.SetModel(model);
        ui.Tui.MoveTo(model.Events.Count - 1);
        // At the cursor, every task is listed again, not only as many as the view shows.
        foreach (int pid in Enumerable.Range(1000, 37))
        {
            ui.Tui.SelectTask(pid);
            Assert.Equal(pid, ui.Tui.SelectedTaskPid);
        }
    }

    [Fact]
    public void Search_and_filter_stream_over_a_large_log_with_progress_and_Esc_cancels()
    {
        using var dir = new TempDirectory();
        const int switches = 300_000;
        var path = TuiLargeTraceTests.Generate(switches, dir.Path);
        using var session = TraceSession.Open([path]);
        var model = TuiModel.Load(session, new AnalysisOptions());
        using var ui = new HeadlessTui(model, 200, 50); // room for the progress on the status line

        // The search reads the log in the background: progress on the status line, then the cursor on the last event.
        ui.Key('/');
        ui.Type("lasttask");
        Assert.Contains("searching 'lasttask'... (Esc cancels)", ui.Screen());
        ui.Key('n'); // other keys wait for it
        TraceTuiTests.WaitForScan(ui.Tui);
        Assert.True(ui.OnUiThread.TryDequeue(out var first));
        first();
        Assert.Contains($"searching 'lasttask': 65,536 of {switches + 2:N0} events read", ui.Screen());
        var screen = ui.Settled();
        Assert.Contains("found 'lasttask'", screen);
        Assert.Contains($"({switches + 2}/{switches + 2})", screen);
        Assert.True(model.Events.BlocksDecoded <= 4, $"{model.Events.BlocksDecoded} blocks decoded"); // streamed, not cached

        // Esc cancels a search that reads the whole log for nothing.
        ui.Tui.MoveTo(0);
        ui.Key('/');
        ui.Type("no such text");
        ui.Esc();
        screen = ui.Settled();
        Assert.Contains("searching 'no such text': cancelled", screen);
        Assert.Contains($"(1/{switches + 2})", screen);

        // The filter reads on from the cursor until it has the lines the log shows: the last event's task from the start.
        ui.Key('f');
        ui.Type("lasttask");
        var log = ui.Settled().Split('\n').Where(l => l.Contains("big.ftrace.txt:")).ToList();
        Assert.Equal(2, log.Count); // the cursor's line and the one match, 300k events on
        Assert.Contains(log, l => l.Contains("lasttask-999 sched_switch"));
        // Moving within what was read keeps the matches; G shows the match at the cursor.
        ui.Key('G');
        Assert.Contains("> ", ui.Settled().Split('\n').Single(l => l.Contains("lasttask-999 sched_switch")));
    }

    private const string Reclaim =
        "              dd-4005    [001] .....   100.000000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n" +
        "              dd-4005    [001] .....   100.002000: mm_vmscan_direct_reclaim_begin: order=0 gfp_flags=GFP_KERNEL\n" +
        "              dd-4005    [001] .....   100.002300: mm_vmscan_direct_reclaim_end: nr_reclaimed=32\n" +
        "              dd-4005    [001] .....   100.006000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n" +
        "              dd-4005    [001] .....   100.007000: folio_wait_writeback: bdi 8:16: ino=131 index=0\n" +
        "              dd-4005    [001] d..2.   100.007010: sched_switch: prev_comm=dd prev_pid=4005 prev_prio=120 prev_state=D ==> next_comm=swapper/1 next_pid=0 next_prio=120\n" +
        "            bash-3954    [000] .....   100.020000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n";

    [Fact]
    public void The_strip_marks_reclaim_and_writeback_waits_widens_with_the_terminal_and_zooms()
    {
        var path = Run.TempFile(Reclaim);
        using var session = TraceSession.Open([path]);
        var model = TuiModel.Load(session, new AnalysisOptions());
        // 1 ms a column around 100.004: on a cpu, a 0.3 ms reclaim (M, shorter than its column), on a cpu, then blocked
        // waiting for writeback (W) from 100.007010.
        Assert.Equal("==M==|=WWWW", model.Strip(4005, 100_004_500_000, 11, 1_000_000));
        Assert.Equal("....|=M==", model.Strip(4005, 99_999_000_000 + 500_000, 9, 1_000_000));

        using var ui = new HeadlessTui(model, 200, 40);
        ui.Screen();
        ui.Tui.MoveTo(model.IndexAt(100_007_010_000));
        var screen = ui.Screen();
        // A wide terminal: more than the 11 columns of a narrow one.
        var strip = System.Text.RegularExpressions.Regex.Match(screen.Split('\n').Single(l => l.Contains("dd:4005")), @"([.=RSDTXWMF|]{12,}) dd:4005").Groups[1].Value;
        Assert.True(strip.Length > 101, strip);
        Assert.Contains("1 ms a column", screen);
        Assert.Matches(@"M=*\|W+", strip);
        ui.Key('z');
        screen = ui.Screen();
        Assert.True(screen.Contains("500 us a column"), screen);
        ui.Key('Z');
        ui.Key('Z');
        Assert.Contains("2 ms a column", ui.Screen());
        ui.Key('?');
        Assert.Contains("z/Z zoom", ui.Screen());
    }

    /// <summary>A compressed input is decompressed once into a spill file (unlinked at once, so nothing is left in TMPDIR);
    /// over the bound it is read again from its start; the status words say which.</summary>
    [Fact]
    public void A_compressed_input_is_read_again_from_a_spill_file_or_from_its_start()
    {
        using var dir = new TempDirectory();
        var before = Directory.GetFiles(Path.GetTempPath(), "tracefx-tui-*").Length;
        var plain = TuiLargeTraceTests.Generate(5_000, dir.Path);
        var gz = plain + ".gz";
        using (var from = File.OpenRead(plain))
        using (var to = new GZipStream(File.Create(gz), CompressionLevel.Fastest))
            from.CopyTo(to);
        var expected = TuiLargeTraceTests.ReadAll(gz).Select(e => TuiLargeTraceTests.Key(e)).ToList();
        using var session = TraceSession.Open([gz]);
        var model = TuiModel.Load(session, new AnalysisOptions());
        Assert.Equal("spill file in TMPDIR, 0 MB, removed on exit", model.Events.Reading); // made by the load
        Assert.Equal(expected[^1], TuiLargeTraceTests.Key(model.Events[^1]));
        Assert.Equal(before, Directory.GetFiles(Path.GetTempPath(), "tracefx-tui-*").Length);
        for (int i = model.Events.Count - 1; i >= 0; i -= 97)
            Assert.Equal(expected[i], TuiLargeTraceTests.Key(model.Events[i]));
        model.Events.Dispose();

        Environment.SetEnvironmentVariable("TRACEFX_TUI_SPILL_MAX", "1000");
        try
        {
            using var again = TraceSession.Open([gz]);
            var over = TuiModel.Load(again, new AnalysisOptions());
            Assert.Equal(expected[1000], TuiLargeTraceTests.Key(over.Events[1000]));
            Assert.Equal("re-read from the start (over the spill bound)", over.Events.Reading);
        }
        finally { Environment.SetEnvironmentVariable("TRACEFX_TUI_SPILL_MAX", null); }
    }

    /// <summary>A named pipe is read once: the UI keeps its events in memory (not an index of a file it could not read
    /// again), and says so.</summary>
    [SkippableFact]
    public void A_pipe_is_kept_in_memory_not_read_again()
    {
        Skip.IfNot(File.Exists("/usr/bin/mkfifo"), "no mkfifo");
        using var dir = new TempDirectory();
        var sample = Path.Combine(TestPaths.SampleTraces, "lkml-xfs-kprobe-holder.ftrace.txt");
        var fifo = Path.Combine(dir.Path, "trace.pipe");
        using (var mk = System.Diagnostics.Process.Start("/usr/bin/mkfifo", [fifo])) mk.WaitForExit();
        var writer = new Thread(() => File.WriteAllBytes(fifo, File.ReadAllBytes(sample)));
        writer.Start();
        var expected = TuiLargeTraceTests.ReadAll(sample).Select(e => TuiLargeTraceTests.Key(e)).ToList();
        using var session = TraceSession.Open([fifo]);
        var model = TuiModel.Load(session, new AnalysisOptions());
        Assert.True(writer.Join(TimeSpan.FromMinutes(1)));
        Assert.Equal("in memory", model.Events.Mode);
        Assert.Equal("in memory", model.Events.Reading);
        Assert.Equal(expected.Count, model.Events.Count);
        Assert.Equal(expected[^1], TuiLargeTraceTests.Key(model.Events[^1]));
    }

    /// <summary>A kernel log and a trace.dat are browsed like a text trace: every event read again as the analysis read it.</summary>
    [SkippableTheory]
    [InlineData("sample", "xfs-frozen-backing-stall.dmesg.txt", "offsets")]
    [InlineData("real", "xfs-fsync.trace.dat", "re-read from the start (trace.dat)")]
    public void Kernel_log_and_trace_dat_inputs_are_browsable_to_the_end(string where, string name, string reading)
    {
        var dir = where == "sample" ? TestPaths.SampleTraces : TestPaths.RealTraces;
        Skip.If(dir is null || !File.Exists(Path.Combine(dir, name)), $"{name} is not there (../shared absent)");
        var path = Path.Combine(dir!, name);
        var expected = TuiLargeTraceTests.ReadAll(path).Select(e => TuiLargeTraceTests.Key(e)).ToList();
        using var session = TraceSession.Open([path]);
        var model = TuiModel.Load(session, new AnalysisOptions());
        Assert.Equal(reading, model.Events.Reading);
        Assert.Equal(expected.Count, model.Events.Count);
        Assert.NotEmpty(expected);
        // The end first (G), then back in steps of a block and a little, then from the start in one reading (a search).
        for (int i = model.Events.Count - 1; i >= 0; i -= EventIndex.BlockEvents + 7)
            Assert.Equal(expected[i], TuiLargeTraceTests.Key(model.Events[i]));
        Assert.Equal(expected, model.Events.Stream(0, model.Events.Count).Select(x => TuiLargeTraceTests.Key(x.Event)));
    }
}
