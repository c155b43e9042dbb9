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
            long applied = 0;
            while (session.Read(out var e))
            {
                timeline.BeforeEvent(engine.State, e, applied++);
                engine.Apply(e);
            }
            timeline.End(engine.State, applied);
        }
        Assert.InRange(timeline.Checkpoints.Count, 3, 17);
        foreach (var c in timeline.Checkpoints.Take(timeline.Checkpoints.Count - 1))
            Assert.Equal(Describe(ExactAt(path, c.AtNs)), Describe(c.Snapshot()));
    }

    /// <summary>A replay resumed from a checkpoint reaches the same state as one from the start, and leaves the
    /// checkpoint as it was (the TUI goes back and forth from the same checkpoints).</summary>
    [Theory]
    [InlineData("lkml-xfs-kprobe-holder.ftrace.txt")]
    [InlineData("xfs-bio-never-completes.ftrace.txt")]
    [InlineData("lkml-ext4-kprobe-holder.perf-script.txt")]
    public void Resuming_from_a_checkpoint_equals_a_replay_from_the_start(string sample)
    {
        var path = Sample(sample);
        List<TraceForensics.Events.Model.TraceEvent> events;
        using (var session = TraceSession.Open([path])) events = Run.Drain(session);
        using var tables = TraceSession.Open([path]);
        Run.Drain(tables);
        var timeline = new ReplayTimeline(intervalNs: 1_000_000, maxCheckpoints: 8);
        var engine = new ReplayEngine(tables.Tables.Stacks);
        for (int i = 0; i < events.Count; i++)
        {
            timeline.BeforeEvent(engine.State, events[i], i);
            engine.Apply(events[i]);
        }
        Assert.True(timeline.Checkpoints.Count >= 3);
        foreach (var c in timeline.Checkpoints)
        {
            var before = Describe(c.Snapshot());
            var resumed = c.Resume();
            for (long i = c.Applied; i < events.Count; i++) resumed.Apply(events[(int)i]);
            Assert.Equal(Describe(ReplaySnapshot.Of(engine.State)), Describe(ReplaySnapshot.Of(resumed.State)));
            Assert.Equal(before, Describe(c.Snapshot()));
        }
    }

    [Fact]
    public void At_finds_the_latest_checkpoint_not_after_T_and_memory_stays_bounded()
    {
        var timeline = new ReplayTimeline(intervalNs: 1_000_000, maxCheckpoints: 8);
        using var session = TraceSession.Open([Sample("lkml-xfs-kprobe-holder.ftrace.txt")]);
        var engine = new ReplayEngine(session.Tables.Stacks);
        while (session.Read(out var e))
        {
            timeline.BeforeEvent(engine.State, e, 0);
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
