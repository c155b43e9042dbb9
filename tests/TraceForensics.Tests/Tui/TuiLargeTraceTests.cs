using System.IO.Compression;
using System.Text;
using TraceForensics.Analysis;
using TraceForensics.Events.Model;
using TraceForensics.Events.Reading;
using TraceForensics.Tests.Support;
using TraceForensics.Tui;
using Terminal.Gui.App;
using Terminal.Gui.Input;
using Terminal.Gui.Testing;

namespace TraceForensics.Tests.Tui;

/// <summary>The event log at any size: every event of the trace browsable (not only the first million), decoded on
/// demand from an index built in the one load pass, exactly the events the analysis read, in its order.</summary>
[Collection("terminal")]
public class TuiLargeTraceTests
{
    /// <summary>A trace of <paramref name="switches"/> context switches between tasks of two cpus, a little out of order
    /// within a cpu pair (as ftrace's per-cpu buffers merge), one hung-task report two thirds in, and a last event of a
    /// task of its own, "lasttask-999".</summary>
    internal static string Generate(int switches, string directory)
    {
        var path = Path.Combine(directory, "big.ftrace.txt");
        var b = new StringBuilder("# tracer: nop\n#\n");
        long ns = 100_000_000_000;
        for (int i = 0; i < switches; i++)
        {
            int cpu = i % 2, prev = 1000 + i % 37, next = 1000 + (i + 1) % 37;
            // Every tenth pair printed second-first: the reader's reorder window puts them back in time order.
            long at = ns + (i % 20 == 9 ? 12_000 : 0);
            b.Append($"          task{prev}-{prev}    [{cpu:000}] d..2. {TraceTime.Format(at)}: sched_switch: prev_comm=task{prev} prev_pid={prev} prev_prio=120 prev_state=S ==> next_comm=task{next} next_pid={next} next_prio=120\n");
            if (i == switches * 2 / 3)
                b.Append($"     khungtaskd-60      [001] ..... {TraceTime.Format(ns + 1_000)}: sched_process_hang: comm=task1005 pid=1005\n");
            ns += 10_000;
        }
        b.Append($"    lasttask-999     [000] d..2. {TraceTime.Format(ns + 5_000_000)}: sched_switch: prev_comm=lasttask prev_pid=999 prev_prio=120 prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120\n");
        File.WriteAllText(path, b.ToString());
        return path;
    }

    internal static List<TraceEvent> ReadAll(string path)
    {
        using var session = TraceSession.Open([path]);
        var all = new List<TraceEvent>();
        while (session.Read(out var e)) all.Add(e);
        return all;
    }

    internal static string Key(in TraceEvent e) => $"{e.TimestampNs} {e.Cpu} {e.Pid} {e.Comm} {e.Name} {e.Kind} {e.StackId} {e.Source}";

    [Fact]
    public void Every_event_is_decoded_again_exactly_as_the_analysis_read_it()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var plain = Generate(20_000, dir);
            var gz = plain + ".gz";
            using (var from = File.OpenRead(plain))
            using (var to = new GZipStream(File.Create(gz), CompressionLevel.Fastest))
                from.CopyTo(to);
            foreach (var path in new[] { plain, gz, Path.Combine(TestPaths.SampleTraces, "lkml-xfs-kprobe-holder.ftrace.txt") })
            {
                var expected = ReadAll(path).Select(e => Key(e)).ToList();
                using var session = TraceSession.Open([path]);
                var model = TuiModel.Load(session, new AnalysisOptions());
                Assert.Equal("indexed", model.Events.Mode);
                Assert.False(model.Truncated);
                Assert.Equal(expected.Count, model.Events.Count);
                // Backwards, so that every block is read again on its own (not the one reading going on).
                for (int i = model.Events.Count - 1; i >= 0; i--)
                    Assert.True(expected[i] == Key(model.Events[i]), $"{Path.GetFileName(path)} event {i}: {Key(model.Events[i])} != {expected[i]}");
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Two_inputs_merge_again_in_the_order_of_the_analysis()
    {
        var a = Path.Combine(TestPaths.SampleTraces, "lkml-xfs-kprobe-holder.ftrace.txt");
        var b = Path.Combine(TestPaths.SampleTraces, "xfs-fsync.ftrace.txt");
        List<string> expected;
        using (var s = TraceSession.Open([a, b]))
        {
            expected = new();
            while (s.Read(out var e)) expected.Add(Key(e));
        }
        using var session = TraceSession.Open([a, b]);
        var model = TuiModel.Load(session, new AnalysisOptions());
        Assert.Equal(expected.Count, model.Events.Count);
        for (int i = model.Events.Count - 1; i >= 0; i--) Assert.Equal(expected[i], Key(model.Events[i]));
    }

    [Fact]
    public void G_shows_the_last_event_of_a_large_trace_and_H_the_last_hang_report()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        var app = Application.Create();
        try
        {
            const int switches = 300_000;
            var path = Generate(switches, dir);
            using var session = TraceSession.Open([path]);
            var model = TuiModel.Load(session, new AnalysisOptions());
            Assert.Equal(switches + 2, model.Events.Count); // all of them: no million-event cut, nothing truncated
            app.Init("ansi");
            var tui = new TraceTui(app, model, _ => "");
            var token = app.Begin(tui.Window);
            try
            {
                string Screen() { app.LayoutAndDraw(true); return app.Driver!.ToString() ?? ""; }
                Assert.DoesNotContain("lasttask", Screen());
                app.InjectKey(new Key('G'));
                var screen = Screen();
                var cursorLine = screen.Split('\n').Single(l => l.Contains("> "));
                Assert.Contains($"lasttask-999 sched_switch (big.ftrace.txt:{switches + 4})", cursorLine);
                Assert.Contains($"({switches + 2}/{switches + 2})", screen);
                Assert.DoesNotContain("truncated", screen);
                // Only the blocks around the cursor were decoded, not the trace.
                Assert.True(model.Events.BlocksDecoded <= 4, $"{model.Events.BlocksDecoded} blocks decoded");

                // Stepping back from the end: the first step replays from the load's checkpoint before it (thinned out on
                // a long trace), the next ones from the checkpoints that replay left on its way.
                app.InjectKey(new Key('p'));
                long first = model.LastReplayed;
                app.InjectKey(new Key('p'));
                Assert.True(model.LastReplayed < Math.Max(first / 4, 2), $"second step back replayed {model.LastReplayed} events (the first {first})");
                Assert.Contains($"({switches}/{switches + 2})", Screen());

                app.InjectKey(new Key('H'));
                cursorLine = Screen().Split('\n').Single(l => l.Contains("> "));
                Assert.Contains("khungtaskd-60 sched_process_hang", cursorLine);
                Assert.Equal(EventKind.ProcessHang, model.Events[tui.Cursor].Kind);
            }
            finally
            {
                app.End(token!);
                tui.Window.Dispose();
            }
        }
        finally
        {
            app.Dispose();
            Directory.Delete(dir, true);
        }
    }
}
