using System.Text.Json;
using TraceForensics.Analysis;
using TraceForensics.Analysis.Findings;
using TraceForensics.Cli.Watch;
using TraceForensics.Events.Model;
using TraceForensics.Events.Reading;
using TraceForensics.Replay.Snapshots;
using TraceForensics.Tests.Support;
using TraceForensics.Tui;

namespace TraceForensics.Tests.Tui;

/// <summary>The TUI on what `tracefx watch` makes: an incident directory opened as its trace and kernel log (a watch's
/// output directory as its latest incident), and `tui --live` driven without a kernel: a source handing out a sample
/// trace's events step by step, the findings appearing as they form, the cursor following the end until moved. (No
/// "live" in the names: the suite without a kernel is run with --filter FullyQualifiedName!~Live.)</summary>
[Collection("terminal")]
public class TuiWatchViewTests
{
    /// <summary>An incident directory as IncidentWriter leaves it (a trace.dat, the kernel log, findings.json made by
    /// analyze over both), from the real xfs-fsync recording and the kernel log of the frozen-backing experiment.</summary>
    private static string Incident(string root, string name)
    {
        var real = Require.RealTraces();
        var dir = Directory.CreateDirectory(Path.Combine(root, name)).FullName;
        File.Copy(Path.Combine(real, "xfs-fsync.trace.dat"), Path.Combine(dir, IncidentWriter.TraceFile));
        File.Copy(Path.Combine(real, "xfs-frozen-backing-stall.dmesg.txt"), Path.Combine(dir, IncidentWriter.KernelLogFile));
        var (code, json, _) = Run.Cli("analyze", "--format", "json", Path.Combine(dir, IncidentWriter.TraceFile), Path.Combine(dir, IncidentWriter.KernelLogFile));
        Assert.Equal(0, code);
        File.WriteAllText(Path.Combine(dir, IncidentWriter.FindingsJson), json);
        return dir;
    }

    [SkippableFact]
    public void An_incident_directory_opens_as_its_trace_and_kernel_log_with_the_incidents_findings()
    {
        using var tmp = new TempDirectory();
        var dir = Incident(tmp.Path, "incident-20261203T101500Z");
        var inputs = IncidentOpening.Inputs(dir, out var note);
        Assert.NotNull(inputs);
        Assert.Equal([Path.Combine(dir, IncidentWriter.TraceFile), Path.Combine(dir, IncidentWriter.KernelLogFile)], inputs);
        Assert.Equal("incident incident-20261203T101500Z", note);

        using var session = TraceSession.Open(inputs);
        var model = TuiModel.Load(session, new AnalysisOptions());
        using var ui = new HeadlessTui(model, 200, 50);
        var screen = ui.Screen();
        // The findings the incident wrote (analyze over its two files) are the ones shown.
        using var written = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, IncidentWriter.FindingsJson)));
        var findings = written.RootElement.GetProperty("findings").EnumerateArray().ToList();
        Assert.NotEmpty(findings);
        Assert.Equal(findings.Select(f => (f.GetProperty("id").GetString(), f.GetProperty("kind").GetString())),
                     model.Findings.Select(f => ((string?)f.Id, (string?)f.Kind.Name())));
        Assert.Contains($"{findings[0].GetProperty("id").GetString()} {findings[0].GetProperty("kind").GetString()} ", screen);
        Assert.Contains("frozen filesystem", screen);
        // Both inputs are in the log: the trace.dat's events, and the kernel log's report (H jumps to it).
        Assert.Contains(model.Events.Stream(0, model.Events.Count), p => p.Event.Source.Input == 0);
        ui.Key('H');
        Assert.Contains("dmesg.txt:", ui.Screen());
        Assert.Equal(1, model.Events[ui.Tui.Cursor].Source.Input);
    }

    [SkippableFact]
    public void A_watch_output_directory_opens_its_latest_incident_and_says_so()
    {
        using var tmp = new TempDirectory();
        Incident(tmp.Path, "incident-20261203T101500Z");
        var latest = Incident(tmp.Path, "incident-20261203T111500Z");
        Directory.CreateDirectory(Path.Combine(tmp.Path, "incident-20261203T121500Z")); // being written: no trace.dat yet
        File.WriteAllText(Path.Combine(latest, IncidentWriter.ClearedFile), "cleared at 380.000000: task 3693 blocked from 376.749647 for 3.250 s\n");
        var inputs = IncidentOpening.Inputs(tmp.Path, out var note);
        Assert.Equal(Path.Combine(latest, IncidentWriter.TraceFile), inputs![0]);
        Assert.StartsWith("incident incident-20261203T111500Z (cleared at 380.000000: task 3693 blocked from 376.749647 for 3.250 s); the latest of 2 incidents", note);
        Assert.Contains("incident-20261203T101500Z opens the one before", note);
        // Neither an incident nor a watch's output: the directory is left to the readers (which say what they say).
        Assert.Null(IncidentOpening.Inputs(Path.Combine(latest, "nothing"), out _));
        Directory.CreateDirectory(Path.Combine(tmp.Path, "empty"));
        Assert.Null(IncidentOpening.Inputs(Path.Combine(tmp.Path, "empty"), out _));
    }

    /// <summary>Incidents made within one second are numbered -0002, -0003, ...: the names sort in the order they were made
    /// (unpadded, "-10" sorted before "-2", and the "latest" opened was the tenth of twelve), and the latest is the last
    /// made; the unpadded names of earlier versions sort by their number too.</summary>
    [Fact]
    public void Incidents_made_within_one_second_sort_in_the_order_they_were_made()
    {
        using var tmp = new TempDirectory();
        var at = new DateTime(2026, 12, 3, 15, 29, 0, DateTimeKind.Utc);
        var made = new List<string>();
        for (int i = 0; i < 12; i++)
        {
            var dir = IncidentWriter.CreateDirectory(tmp.Path, at);
            File.WriteAllText(Path.Combine(dir, IncidentWriter.TraceFile), "");
            made.Add(dir);
        }
        Assert.Equal("incident-20261203T152900Z", Path.GetFileName(made[0]));
        Assert.Equal("incident-20261203T152900Z-0002", Path.GetFileName(made[1]));
        Assert.Equal("incident-20261203T152900Z-0012", Path.GetFileName(made[^1]));
        // A plain sort of the names (ls, a glob) gives the same order.
        Assert.Equal(made, made.OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal));
        Assert.Equal(made, IncidentOpening.List(tmp.Path));
        var inputs = IncidentOpening.Inputs(tmp.Path, out var note);
        Assert.Equal(Path.Combine(made[^1], IncidentWriter.TraceFile), inputs![0]);
        Assert.Contains("the latest of 12 incidents", note);
        Assert.Contains("incident-20261203T152900Z-0011 opens the one before", note);

        // Names of an earlier version (unpadded), one second later: ordered by number, after the padded ones.
        using var old = new TempDirectory();
        foreach (var name in new[] { "incident-20261203T152901Z-10", "incident-20261203T152901Z", "incident-20261203T152901Z-2", "incident-20261203T152900Z-9" })
        {
            Directory.CreateDirectory(Path.Combine(old.Path, name));
            File.WriteAllText(Path.Combine(old.Path, name, IncidentWriter.TraceFile), "");
        }
        Assert.Equal(["incident-20261203T152900Z-9", "incident-20261203T152901Z", "incident-20261203T152901Z-2", "incident-20261203T152901Z-10"],
                     IncidentOpening.List(old.Path).Select(Path.GetFileName));
    }

    /// <summary>A live source made of a trace's events, handed out <paramref name="step"/> at a time.</summary>
    private sealed class StepSource(TraceSession session, List<TraceEvent> events, int step) : ILiveSource
    {
        private int _next;
        public string Name => "sample";
        public StackTable Stacks => session.Tables.Stacks;
        public int Given => _next;

        public bool Next(List<TraceEvent> into, List<string> messages, TimeSpan wait)
        {
            int n = Math.Min(step, events.Count - _next);
            into.AddRange(events.GetRange(_next, n));
            _next += n;
            if (_next == events.Count && n > 0) messages.Add("source: all given");
            return _next < events.Count;
        }
    }

    [Fact]
    public void Findings_appear_as_the_watch_feeds_them_and_the_cursor_follows_the_end_until_moved()
    {
        var path = Path.Combine(TestPaths.SampleTraces, "ext4-frozen-backing-stall.ftrace.txt.gz");
        var (session, events) = Run.Files(path);
        using var _ = session;
        Assert.True(events.Count > 5000, $"{events.Count} events");
        var source = new StepSource(session, events, 1000);
        var feed = new LiveFeed(source, new AnalysisOptions(), findingsEvery: TimeSpan.Zero);
        using var ui = new HeadlessTui(TuiModel.Live(source.Name, source.Stacks), 200, 50);

        int stepsBeforeFinding = 0, moved = -1;
        string? firstFound = null;
        LiveUpdate? update;
        while ((update = feed.Step(TimeSpan.Zero)) is not null)
        {
            ui.Tui.Live(update);
            var screen = ui.Screen();
            int count = source.Given;
            if (update.Ended) break;
            Assert.NotNull(update.Findings); // asked every step here (findingsEvery: zero)
            if (update.Findings.Count == 0)
            {
                stepsBeforeFinding++;
                Assert.Contains("(watching: nothing found yet)", screen);
            }
            else if (firstFound is null)
            {
                firstFound = update.Findings[0].Kind.Name();
                Assert.Contains($"F1 {firstFound} (provisional)", screen);
            }
            if (moved < 0 && firstFound is not null && count > events.Count / 2)
            {
                // The user moves back: the cursor stays there as events come, and the status line says how to follow.
                ui.Key('p');
                moved = ui.Tui.Cursor;
                Assert.Equal(count - 2, moved);
                Assert.False(ui.Tui.Following);
                continue;
            }
            if (moved >= 0 && ui.Tui.Following)
            {
                Assert.Equal(count - 1, ui.Tui.Cursor); // following again after G
                continue;
            }
            if (moved >= 0)
            {
                Assert.Equal(moved, ui.Tui.Cursor);
                Assert.Contains("live: not following the end; G follows", screen);
                if (count > events.Count * 3 / 4) ui.Key('G');
                continue;
            }
            Assert.True(ui.Tui.Following);
            Assert.Equal(count - 1, ui.Tui.Cursor);
            Assert.Contains("live: following the end", screen);
            Assert.Contains($"({count}/{count})", screen);
        }
        Assert.NotNull(update);
        Assert.True(update.Ended);
        // The stall forms as the trace goes on: not at the first step, found before the end.
        Assert.True(stepsBeforeFinding >= 1, "found at the first step");
        Assert.NotNull(firstFound);
        Assert.True(moved >= 0 && ui.Tui.Following);
        var end = ui.Screen();
        Assert.Contains("live: ended", end);
        Assert.DoesNotContain("provisional", end);
        Assert.Contains($"({events.Count}/{events.Count})", end);
        // What the live view shows at the end is what analyze finds in the file.
        Assert.Equal(Analyze.Files(path).Select(f => (f.Kind, f.Summary)), update.Findings!.Select(f => (f.Kind, f.Summary)));
    }

    /// <summary>The live view's timeline strips fill from the feed: each task's changes (run states, and the reclaim, fault
    /// and writeback-wait spans) are the ones the load of the same trace keeps, and the strips at the end show them;
    /// what the live log drops is forgotten without changing the strips after it.</summary>
    [Fact]
    public void The_live_strips_fill_from_the_feed_as_the_load_fills_them()
    {
        var path = Path.Combine(TestPaths.SampleTraces, "ext4-memcg.ftrace.txt.gz");
        var (session, events) = Run.Files(path);
        using var _ = session;
        var source = new StepSource(session, events, 700);
        var feed = new LiveFeed(source, new AnalysisOptions(), findingsEvery: TimeSpan.Zero);
        var model = TuiModel.Live(source.Name, source.Stacks);
        using var ui = new HeadlessTui(model, 200, 50);
        LiveUpdate? update;
        while ((update = feed.Step(TimeSpan.Zero)) is not null)
        {
            ui.Tui.Live(update);
            if (update.Ended) break;
        }
        using var again = TraceSession.Open([path]);
        var loaded = TuiModel.Load(again, new AnalysisOptions());
        Assert.Equal(loaded.Timelines.Pids.Order(), model.Timelines.Pids.Order());
        foreach (int pid in loaded.Timelines.Pids) Assert.Equal(loaded.Timelines[pid], model.Timelines[pid]);
        // Not only run states: the memcg reclaim of the trace is there.
        var letters = model.Timelines.Pids.SelectMany(p => model.Timelines[p]).Select(c => c.State).ToHashSet();
        Assert.Contains('M', letters);
        Assert.Contains('=', letters);
        // The strips on the screen at the end (the cursor on the last event) are not all unknown.
        var strips = ui.Screen().Split('\n').Select(l => System.Text.RegularExpressions.Regex.Match(l, @"([.=RSDTXWMF]+)\|([.=RSDTXWMF]+) \S+:\d+ ")).Where(m => m.Success).ToList();
        Assert.NotEmpty(strips);
        Assert.Contains(strips, m => m.Groups[1].Value.Trim('.').Length > 0);

        // Dropping what came before the middle of the trace keeps the strips from there on.
        long middle = events[events.Count / 2].TimestampNs, end = events[^1].TimestampNs;
        var before = model.Timelines.Pids.ToDictionary(p => p, p => model.Strip(p, end, 101, (end - middle) / 60));
        model.Timelines.DropBefore(middle);
        foreach (int pid in model.Timelines.Pids) Assert.Equal(before[pid], model.Strip(pid, end, 101, (end - middle) / 60));
        Assert.True(model.Timelines.Pids.Sum(p => model.Timelines[p].Count) < loaded.Timelines.Pids.Sum(p => loaded.Timelines[p].Count));
    }

    /// <summary>Over its bound the followed log (tui --live) drops its oldest events down to a copy of the replay's state; the cursor's
    /// replay from there gives the state of the whole replay (the same tasks in the same states).</summary>
    [Fact]
    public void The_followed_log_drops_its_oldest_events_and_replays_the_cursor_from_the_copied_state()
    {
        var (session, events) = Run.Files(Path.Combine(TestPaths.SampleTraces, "ext4-frozen-backing-stall.ftrace.txt.gz"));
        using var _ = session;
        var analyzer = new Analyzer(session.Tables.Stacks);
        var model = TuiModel.Live("sample", session.Tables.Stacks);
        const int max = 2000, every = 1000, step = 300;
        long dropped = 0;
        for (int i = 0; i < events.Count; i += step)
        {
            ReplayCheckpoint? checkpoint = null;
            var batch = events.GetRange(i, Math.Min(step, events.Count - i));
            for (int k = 0; k < batch.Count; k++)
            {
                long n = i + k;
                if (n > 0 && n % every == 0) checkpoint = new ReplayCheckpoint(analyzer.State.NowNs, n, analyzer.State.Clone());
                analyzer.Observe(batch[k]);
            }
            dropped += model.Append(batch, checkpoint, max);
            Assert.True(model.Events.Count <= max + every, $"{model.Events.Count} events kept");
            Assert.Equal(i + batch.Count - dropped, model.Events.Count);
            if (i % (step * 5) == 0) model.StateAt(model.Events.Count / 2); // the cursor somewhere before the next drop
        }
        Assert.True(dropped > events.Count - max - every, $"{dropped} dropped");
        Assert.Equal(model.LiveDropped, dropped);
        Assert.Equal(events[^1].TimestampNs, model.Events[model.Events.Count - 1].TimestampNs);
        Assert.Equal(Tasks(analyzer.State), Tasks(model.StateAt(model.Events.Count - 1)));
        // Back to the log's first event: from the copy, not from an empty state.
        var first = model.StateAt(0);
        Assert.True(model.LastReplayed <= 1, $"{model.LastReplayed} replayed");
        Assert.NotEmpty(first.Tasks.Tasks);
    }

    private static string Tasks(TraceForensics.Replay.ReplayState s) =>
        string.Join("\n", s.Tasks.Tasks.OrderBy(t => t.Pid).Select(t => $"{t.Pid} {t.State} {t.StateSinceNs}")) + $"\nnow {s.NowNs}";
}
