using TraceForensics.Events.Reading;
using TraceForensics.Replay;
using TraceForensics.Replay.Snapshots;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Replay;

public class ReplayTimelineTests
{
    private static string Sample(string name) => Path.Combine(TestPaths.SampleTraces, name);

    private static string Describe(ReplaySnapshot s) => string.Join("\n",
        s.Tasks.Select(t => $"task {t.Pid} {t.Comm} {t.State} {t.SinceNs} {t.Waiting} {t.WaitPage}")
            .Concat(s.Pages.Select(p => $"page {p.Key} {p.LockHolder} {p.UnderWriteback} {p.IoendId}"))
            .Concat(s.Ioends.Select(i => $"bio {i.Id} {i.Dev} {i.StartSector} {i.Sectors} {i.Submitted}"))
            .Concat(s.Devices.Select(d => $"dev {d.Dev} {d.InFlight} {d.Completed}")));

    private static ReplaySnapshot ExactAt(string path, long atNs)
    {
        using var session = TraceSession.Open([path]);
        var engine = new ReplayEngine(session.Tables.Stacks);
        while (session.Read(out var e) && e.TimestampNs <= atNs) engine.Apply(e);
        return ReplaySnapshot.Of(engine.State);
    }

    [Theory]
    [InlineData("lkml-xfs-kprobe-holder.ftrace.txt")]
    [InlineData("lkml-xfs-near-miss.perf-script.txt")]
    public void Every_checkpoint_equals_an_exact_replay_to_its_time(string sample)
    {
        var path = Sample(sample);
        var timeline = new ReplayTimeline(intervalNs: 5_000_000, maxCheckpoints: 16);
        using (var session = TraceSession.Open([path]))
        {
            var engine = new ReplayEngine(session.Tables.Stacks);
            while (session.Read(out var e))
            {
                timeline.BeforeEvent(engine.State, e);
                engine.Apply(e);
            }
            timeline.End(engine.State);
        }
        Assert.InRange(timeline.Checkpoints.Count, 3, 17);
        foreach (var c in timeline.Checkpoints.Take(timeline.Checkpoints.Count - 1))
            Assert.Equal(Describe(ExactAt(path, c.AtNs)), Describe(c));
    }

    [Fact]
    public void At_finds_the_latest_checkpoint_not_after_T_and_memory_stays_bounded()
    {
        var timeline = new ReplayTimeline(intervalNs: 1_000_000, maxCheckpoints: 8);
        using var session = TraceSession.Open([Sample("lkml-xfs-kprobe-holder.ftrace.txt")]);
        var engine = new ReplayEngine(session.Tables.Stacks);
        while (session.Read(out var e))
        {
            timeline.BeforeEvent(engine.State, e);
            engine.Apply(e);
        }
        Assert.True(timeline.Checkpoints.Count <= 9);
        Assert.True(timeline.IntervalNs > 1_000_000);
        Assert.Null(timeline.At(0));
        var mid = timeline.Checkpoints[3];
        Assert.Same(mid, timeline.At(mid.AtNs));
        Assert.Same(mid, timeline.At(timeline.Checkpoints[4].AtNs - 1));
    }
}
