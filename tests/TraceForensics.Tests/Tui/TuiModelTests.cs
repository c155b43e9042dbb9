using TraceForensics.Analysis;
using TraceForensics.Events.Reading;
using TraceForensics.Replay;
using TraceForensics.Replay.Snapshots;
using TraceForensics.Tests.Support;
using TraceForensics.Tui;

namespace TraceForensics.Tests.Tui;

/// <summary>The TUI's model without a terminal: its findings are analyze's, its timelines come from the task
/// tracker, and going back in time starts from the replay checkpoint before the cursor.</summary>
public class TuiModelTests
{
    private static string Sample(string name) => Path.Combine(TestPaths.SampleTraces, name);

    private static string Describe(ReplayState s)
    {
        var snap = ReplaySnapshot.Of(s);
        return string.Join("\n", snap.Tasks.Select(t => $"task {t.Pid} {t.Comm} {t.State} {t.SinceNs} {t.Waiting} {t.WaitPage} {t.InReclaim}")
            .Concat(snap.Pages.Select(p => $"page {p.Key} {p.LockHolder} {p.UnderWriteback} {p.IoendId}"))
            .Concat(snap.Ioends.Select(i => $"bio {i.Id} {i.Dev} {i.StartSector} {i.Sectors} {i.Submitted}"))
            .Concat(snap.Devices.Select(d => $"dev {d.Dev} {d.InFlight} {d.Completed}")));
    }

    [Theory]
    [InlineData("lkml-xfs-kprobe-holder.ftrace.txt")]
    [InlineData("xfs-fsync.ftrace.txt")]
    public void Going_back_resumes_from_a_checkpoint_and_reaches_the_exact_state(string sample)
    {
        using var session = TraceSession.Open([Sample(sample)]);
        var model = TuiModel.Load(session, new AnalysisOptions());
        int n = model.Events.Count;
        Assert.True(n > 1000);
        model.StateAt(n - 1);
        foreach (int cursor in new[] { n / 2, n / 3, 10, n - 2, 0, -1 })
        {
            var state = Describe(model.StateAt(cursor));
            if (cursor > 10 && cursor < n - 2) Assert.True(model.LastReplayed < n / 4, $"went back to {cursor} by replaying {model.LastReplayed} of {n} events");
            var exact = new ReplayEngine(session.Tables.Stacks);
            for (int i = 0; i <= cursor; i++) exact.Apply(model.Events[i]);
            Assert.Equal(Describe(exact.State), state);
        }
    }

    [Fact]
    public void Findings_and_timelines_come_from_the_one_analysis()
    {
        var path = Sample("lkml-xfs-kprobe-holder.ftrace.txt");
        using var session = TraceSession.Open([path]);
        var model = TuiModel.Load(session, new AnalysisOptions());
        Assert.Equal(Analyze.Files(path).Select(Analyze.Signature), model.Findings.Select(Analyze.Signature));
        // The deadlocked kworker was seen on a cpu, then blocked: its strip ends in D.
        var strip = model.Timelines[47190];
        Assert.Equal('D', strip[^1].State);
        Assert.Contains(strip, c => c.State == '=');
        Assert.Equal("DDDDD|DDDDD", model.Strip(47190, model.Events[^1].TimestampNs));
    }
}
