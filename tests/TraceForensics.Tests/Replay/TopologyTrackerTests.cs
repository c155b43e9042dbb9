using System.Text;
using TraceForensics.Events.Model;
using TraceForensics.Events.Reading;
using TraceForensics.Replay;
using TraceForensics.Tests.Ingest;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Replay;

/// <summary>A topology input read with a trace: its facts are known from the start of the replay (time 0) and cite
/// their line of the topology input.</summary>
public class TopologyTrackerTests
{
    [Fact]
    public void BackingFsOf_names_the_filesystem_a_loop_is_backed_by_from_the_topology_input()
    {
        var trace = File.ReadAllBytes(Path.Combine(TestPaths.SampleTraces, "xfs-fsync.ftrace.txt"));
        using var session = TraceSession.Open(
        [
            ("trace.txt", () => (Stream)new MemoryStream(trace)),
            ("trace.txt.topology.txt", () => new MemoryStream(Encoding.UTF8.GetBytes(TopologyFormatTests.Sample))),
        ]);
        var engine = new ReplayEngine(session.Tables.Stacks);
        bool first = true, traceSeen = false;
        while (session.Read(out var e))
        {
            if (first) Assert.Equal(EventKind.LoopBacking, e.Kind); // time 0: before every trace event
            first = false;
            traceSeen |= e.Source.Input == 0;
            engine.Apply(e);
        }
        Assert.True(traceSeen);
        var topology = engine.State.Topology;
        var backing = topology.BackingFsOf(new DeviceNumber(7, 2));
        Assert.NotNull(backing);
        Assert.Equal(new DeviceNumber(7, 1), backing.BackingFs);
        Assert.Equal("/mnt/tf outer/inner.img", backing.BackingFile);
        Assert.Equal((1, 2L), (backing.Evidence.Input, backing.Evidence.Line));
        Assert.Null(topology.BackingFsOf(new DeviceNumber(7, 1)));
        var mount = Assert.Single(topology.MountsOf(new DeviceNumber(7, 1)));
        Assert.Equal(("/mnt/tf outer", "xfs"), (mount.MountPoint, mount.FsType));
        Assert.Equal("vg-root", topology.DmOf(new DeviceNumber(254, 0))?.Name);
        Assert.DoesNotContain(engine.State.Tasks.Tasks, t => t.Pid == -1); // topology facts are no task's events

        var clone = engine.State.Clone();
        Assert.Equal(backing, clone.Topology.BackingFsOf(new DeviceNumber(7, 2)));
    }

    [Fact]
    public void Without_a_topology_input_nothing_is_known()
    {
        var (session, events) = Run.Files(Path.Combine(TestPaths.SampleTraces, "xfs-fsync.ftrace.txt"));
        var engine = new ReplayEngine(session.Tables.Stacks);
        foreach (var e in events) engine.Apply(e);
        Assert.False(engine.State.Topology.IsKnown);
        Assert.Null(engine.State.Topology.BackingFsOf(new DeviceNumber(7, 0)));
        session.Dispose();
    }
}
