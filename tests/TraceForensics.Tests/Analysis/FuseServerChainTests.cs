using System.IO.Compression;
using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Analysis;

/// <summary>A FUSE daemon as the root blocker (issue 20), on our own captures (sample-traces/fuse/capture.sh: stallfs with
/// writeback cache, `dd conv=fsync` into it, recorded with tracefx record and with perf; sample-traces/fuse-*.about): dd's
/// writeback wait chains through the WRITE request on the FUSE connection to the daemon thread holding it, with its state:
/// asleep in its write handler (block), stopped (stop), or a stall that cleared (slow).</summary>
public class FuseServerChainTests
{
    private static string Sample(string name) => Path.Combine(TestPaths.SampleTraces, name);

    private static Finding DaemonStall(IReadOnlyList<Finding> findings)
    {
        // The machine was shared: another dd (on xfs) may be in the perf captures.
        var stall = Assert.Single(findings, f => f.Tasks.Any(t => t.Comm == "dd") && f.Chain.Any(e => e.To is WritebackNode { Page.Dev: { Major: 0, Minor: 40 } }));
        Assert.Equal(FindingKind.Stall, stall.Kind);
        var dd = Assert.Single(stall.Tasks, t => t.Comm == "dd");
        // dd -> writeback of its page on the FUSE device -> the connection -> the daemon thread.
        var wait = Assert.Single(stall.Chain, e => e.Relation == Relation.WaitsForWriteback);
        Assert.Equal(dd.Pid, Assert.IsType<TaskNode>(wait.From).Pid);
        var request = Assert.Single(stall.Chain, e => e.Relation == Relation.InRequestTo);
        Assert.Equal("fuse-writeback-in-connection-request", request.RuleId());
        Assert.Equal("0:40", Assert.IsType<FuseConnectionNode>(request.To).Dev.ToString());
        var served = Assert.Single(stall.Chain, e => e.Relation == Relation.ServedBy);
        Assert.StartsWith("server-holds-queued-request:", served.RuleId());
        var daemon = Assert.IsType<TaskNode>(stall.Root);
        Assert.Equal("stallfs", daemon.Comm);
        Assert.Equal(daemon, served.To);
        return stall;
    }

    [Theory]
    [InlineData("block", false, false, "asleep (S) since")]
    [InlineData("block", true, false, "asleep (S) since")]
    [InlineData("block", true, true, "asleep (S) since")]
    [InlineData("stop", false, false, "stopped (T) since")]
    [InlineData("stop", true, false, "stopped (T) since")]
    [InlineData("slow", false, false, "the stall cleared")]
    [InlineData("slow", true, false, "the stall cleared")]
    public void Dd_waits_through_the_FUSE_request_for_the_daemon(string scenario, bool topology, bool kernelLog, string state)
    {
        var trace = Sample($"fuse-{scenario}.ftrace.txt.gz");
        string[] inputs = [trace, .. topology ? [trace + ".topology.txt"] : Array.Empty<string>(), .. kernelLog ? [trace + ".dmesg.txt"] : Array.Empty<string>()];
        var stall = DaemonStall(Analyze.Files(inputs));
        Assert.Contains(state, stall.Summary);
        // The daemon read the request (the queueing woke it) in ftrace form.
        Assert.Equal("server-holds-queued-request:woken-reader", Assert.Single(stall.Chain, e => e.Relation == Relation.ServedBy).RuleId());
        if (scenario != "slow") Assert.Contains("not answering", stall.Summary);
        else Assert.DoesNotContain("not answering", stall.Summary);
        // The topology names the mount.
        Assert.Equal(topology, Assert.IsType<FuseConnectionNode>(stall.Chain.Single(e => e.Relation == Relation.InRequestTo).To).Mount is { } m && m.StartsWith("fuse.stallfs on ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("block", "asleep (S) since", "anon_pipe_read")]
    [InlineData("stop", "stopped (T) since", null)]
    [InlineData("slow", "the stall cleared", "do_nanosleep")]
    public void The_perf_script_captures_give_the_same_chain(string scenario, string state, string? sleptIn)
    {
        var stall = DaemonStall(Analyze.Files(Sample($"fuse-{scenario}.perf-script.txt.gz")));
        Assert.Contains(state, stall.Summary);
        // perf's callchains are on every switch: the daemon's S sleep has a stack, and the summary says where it sleeps.
        if (sleptIn is not null) Assert.Contains($"in {sleptIn}", stall.Summary);
    }

    /// <summary>fuse-block's trace without its fuse_request_send/end lines, in a temporary file.</summary>
    private static string WithoutFuseEvents()
    {
        var text = new StreamReader(new GZipStream(File.OpenRead(Sample("fuse-block.ftrace.txt.gz")), CompressionMode.Decompress)).ReadToEnd();
        return Run.TempFile(string.Join('\n', text.Split('\n').Where(l => !l.Contains(" fuse_request_", StringComparison.Ordinal))));
    }

    [Fact]
    public void Without_the_fuse_events_the_topology_names_the_daemon_holding_dev_fuse()
    {
        // The topology recorded with this capture predates the fusedev lines: the line `record` now writes for the
        // daemon (pid 21781, stallfs) is appended, as a v3 topology of the same moment would have it.
        var trace = WithoutFuseEvents();
        var topology = Run.TempFile(File.ReadAllText(Sample("fuse-block.ftrace.txt.gz.topology.txt")) + "fusedev 10:229 pid=21781 comm=stallfs\n");
        try
        {
            var stall = DaemonStall(Analyze.Files(trace, topology));
            Assert.Equal("server-holds-queued-request:dev-fuse-holder", Assert.Single(stall.Chain, e => e.Relation == Relation.ServedBy).RuleId());
            Assert.Equal(21781, Assert.IsType<TaskNode>(stall.Root).Pid);
            Assert.Contains("asleep (S) since", stall.Summary);
            // Two FUSE mounts: the holder could serve either, and none is named.
            var two = Run.TempFile(File.ReadAllText(topology) + "mount 0:41 /mnt/other fuse.sshfs\n");
            try
            {
                var dd = Assert.Single(Analyze.Files(trace, two), f => f.Tasks.Any(t => t.Comm == "dd") && f.Chain.Any(e => e.Relation == Relation.InRequestTo));
                Assert.DoesNotContain(dd.Chain, e => e.Relation == Relation.ServedBy);
            }
            finally { File.Delete(two); }
        }
        finally { File.Delete(trace); File.Delete(topology); }
    }

    [Fact]
    public void Without_the_fuse_events_and_the_topology_the_device_is_no_FUSE_connection()
    {
        // The same capture with fuse_request_send/end removed: nothing says 0:40 is FUSE, so no request and no daemon.
        var path = WithoutFuseEvents();
        IReadOnlyList<Finding> findings;
        try { findings = Analyze.Files(path); }
        finally { File.Delete(path); }
        var dd = Assert.Single(findings, f => f.Tasks.Any(t => t.Comm == "dd") && f.Chain.Any(e => e.To is WritebackNode { Page.Dev: { Major: 0, Minor: 40 } }));
        Assert.DoesNotContain(dd.Chain, e => e.Relation is Relation.InRequestTo or Relation.ServedBy);
        Assert.IsNotType<TaskNode>(dd.Root);
    }
}
