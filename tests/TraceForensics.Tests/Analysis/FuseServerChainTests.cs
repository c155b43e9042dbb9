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

    /// <summary>The daemon's pid and the function /proc showed it in when the recording ended, from the topology's
    /// fusedev and stack lines (record writes them; the capture's .about says what the daemon did).</summary>
    private static (int Pid, string Function) DaemonAtEnd(string scenario)
    {
        var lines = File.ReadAllLines(Sample($"fuse-{scenario}.ftrace.txt.gz.topology.txt"));
        var fusedev = Assert.Single(lines, l => l.StartsWith("fusedev ", StringComparison.Ordinal));
        var stack = Assert.Single(lines, l => l.StartsWith("stack ", StringComparison.Ordinal));
        int pid = int.Parse(fusedev.Split(' ').Single(f => f.StartsWith("pid=", StringComparison.Ordinal))[4..], System.Globalization.CultureInfo.InvariantCulture);
        var frames = stack.Split(' ').Single(f => f.StartsWith("frames=", StringComparison.Ordinal))[7..];
        return (pid, frames[..frames.IndexOf('+')]);
    }

    [Theory]
    [InlineData("block", false, false)]
    [InlineData("block", true, false)]
    [InlineData("block", false, true)]
    [InlineData("block", true, true)]
    [InlineData("stop", false, false)]
    [InlineData("stop", true, false)]
    [InlineData("stop", false, true)]
    [InlineData("stop", true, true)]
    [InlineData("slow", false, false)]
    [InlineData("slow", true, false)]
    [InlineData("slow", false, true)]
    [InlineData("slow", true, true)]
    public void Dd_waits_through_the_FUSE_request_for_the_daemon(string scenario, bool topology, bool kernelLog)
    {
        var trace = Sample($"fuse-{scenario}.ftrace.txt.gz");
        string[] inputs = [trace, .. topology ? [trace + ".topology.txt"] : Array.Empty<string>(), .. kernelLog ? [trace + ".dmesg.txt"] : Array.Empty<string>()];
        var stall = DaemonStall(Analyze.Files(inputs));
        var (daemonPid, atEnd) = DaemonAtEnd(scenario);
        // The daemon the topology shows holding /dev/fuse is the thread the chain ends in.
        Assert.Equal(daemonPid, Assert.IsType<TaskNode>(stall.Root).Pid);
        Assert.Contains(scenario switch { "block" => "asleep (S) since", "stop" => "stopped (T) since", _ => "the stall cleared" }, stall.Summary);
        // The daemon read the request (the queueing woke it) in ftrace form.
        Assert.Equal("server-holds-queued-request:woken-reader", Assert.Single(stall.Chain, e => e.Relation == Relation.ServedBy).RuleId());
        if (scenario != "slow") Assert.Contains("not answering", stall.Summary);
        else Assert.DoesNotContain("not answering", stall.Summary);
        // The topology names the mount.
        Assert.Equal(topology, Assert.IsType<FuseConnectionNode>(stall.Chain.Single(e => e.Relation == Relation.InRequestTo).To).Mount is { } m && m.StartsWith("fuse.stallfs on ", StringComparison.Ordinal));
        // Where the daemon sleeps: its stack at the end of the recording (the topology's), for a daemon still in that
        // sleep at the end (block: anon_pipe_read in read(2); stop: do_signal_stop); the slow daemon's stall cleared
        // long before, and its stack at the end (fuse_dev_do_read, waiting for the next request) says nothing of it.
        if (topology && scenario != "slow") Assert.Contains($" in {atEnd} (", stall.Summary);
        else Assert.DoesNotContain("its stack when the recording ended", stall.Summary);
        if (topology && scenario == "block") Assert.Contains("read(2); its stack when the recording ended", stall.Summary);
        Assert.Equal(scenario == "slow" ? "fuse_dev_do_read" : scenario == "stop" ? "do_signal_stop" : "anon_pipe_read", atEnd);
        // The kernel log's hung-task report of dd (hung_task_timeout_secs lowered during the capture) says for how long.
        var dd = Assert.Single(stall.Tasks, t => t.Comm == "dd");
        Assert.Equal(kernelLog, dd.ReportedBlockedSeconds is > 0);
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

    /// <summary>A capture's trace without its fuse_request_send/end lines, in a temporary file.</summary>
    private static string WithoutFuseEvents(string scenario = "block")
    {
        var text = new StreamReader(new GZipStream(File.OpenRead(Sample($"fuse-{scenario}.ftrace.txt.gz")), CompressionMode.Decompress)).ReadToEnd();
        return Run.TempFile(string.Join('\n', text.Split('\n').Where(l => !l.Contains(" fuse_request_", StringComparison.Ordinal))));
    }

    [Fact]
    public void Without_the_fuse_events_the_topology_names_the_daemon_holding_dev_fuse()
    {
        // fuse-block's daemon is in its write handler (anon_pipe_read) at the end, not reading /dev/fuse: the process
        // holding /dev/fuse (the topology's fusedev line) is the one left.
        var trace = WithoutFuseEvents();
        var topology = Sample("fuse-block.ftrace.txt.gz.topology.txt");
        try
        {
            var stall = DaemonStall(Analyze.Files(trace, topology));
            Assert.Equal("server-holds-queued-request:dev-fuse-holder", Assert.Single(stall.Chain, e => e.Relation == Relation.ServedBy).RuleId());
            Assert.Equal(DaemonAtEnd("block").Pid, Assert.IsType<TaskNode>(stall.Root).Pid);
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
        finally { File.Delete(trace); }
    }

    [Fact]
    public void Without_the_fuse_events_a_reader_of_dev_fuse_serves_the_connection()
    {
        // fuse-slow's daemon, back in fuse_dev_do_read when the recording ended (the topology's stack line): a reader of
        // /dev/fuse, and the one FUSE connection's server (reader-in-dev-read), with that line as the evidence.
        var trace = WithoutFuseEvents("slow");
        var topology = Sample("fuse-slow.ftrace.txt.gz.topology.txt");
        try
        {
            var stall = DaemonStall(Analyze.Files(trace, topology));
            var served = Assert.Single(stall.Chain, e => e.Relation == Relation.ServedBy);
            Assert.Equal("server-holds-queued-request:reader-in-dev-read", served.RuleId());
            Assert.Equal(DaemonAtEnd("slow").Pid, Assert.IsType<TaskNode>(stall.Root).Pid);
            int stackLine = Array.FindIndex(File.ReadAllLines(topology), l => l.StartsWith("stack ", StringComparison.Ordinal)) + 1;
            Assert.Contains(served.Lines, l => l.Line == stackLine && l.Input == 1); // input 1: the topology
            Assert.Contains("the stall cleared", stall.Summary);
        }
        finally { File.Delete(trace); }
    }

    [Fact]
    public void A_fuseblk_mount_is_matched_by_its_block_device()
    {
        // fuse-block made a fuseblk filesystem on block device 7:3 (fs/fuse/inode.c fuseblk_fs_type): its connection is
        // the block device's number (fc->dev = sb->s_dev), its bdi "7:3-fuseblk" (fuse_bdi_init), its mount type fuseblk.
        var text = new StreamReader(new GZipStream(File.OpenRead(Sample("fuse-block.ftrace.txt.gz")), CompressionMode.Decompress)).ReadToEnd()
            .Replace("bdi 0:40:", "bdi 7:3-fuseblk:", StringComparison.Ordinal).Replace("dev 0:40 ", "dev 7:3 ", StringComparison.Ordinal)
            .Replace("connection 40 ", $"connection {(7 << 20) | 3} ", StringComparison.Ordinal);
        var trace = Run.TempFile(text);
        var topology = Run.TempFile(File.ReadAllText(Sample("fuse-block.ftrace.txt.gz.topology.txt"))
            .Replace("mount 0:40 ", "mount 7:3 ", StringComparison.Ordinal).Replace(" fuse.stallfs\n", " fuseblk\n", StringComparison.Ordinal));
        try
        {
            foreach (var inputs in new[] { new[] { trace, topology }, [trace] })
            {
                var stall = Assert.Single(Analyze.Files(inputs), f => f.Tasks.Any(t => t.Comm == "dd") && f.Chain.Any(e => e.Relation == Relation.InRequestTo));
                var conn = Assert.IsType<FuseConnectionNode>(Assert.Single(stall.Chain, e => e.Relation == Relation.InRequestTo).To);
                Assert.Equal("7:3", conn.Dev.ToString());
                Assert.Equal(inputs.Length == 2, conn.Mount?.StartsWith("fuseblk on ", StringComparison.Ordinal) == true);
                Assert.Equal("stallfs", Assert.IsType<TaskNode>(stall.Root).Comm);
            }
            // Without the fuse events, the topology's fuseblk mount alone says 7:3 is FUSE.
            var noEvents = Run.TempFile(string.Join('\n', text.Split('\n').Where(l => !l.Contains(" fuse_request_", StringComparison.Ordinal))));
            try
            {
                var stall = Assert.Single(Analyze.Files(noEvents, topology), f => f.Tasks.Any(t => t.Comm == "dd") && f.Chain.Any(e => e.Relation == Relation.InRequestTo));
                Assert.Equal("server-holds-queued-request:dev-fuse-holder", Assert.Single(stall.Chain, e => e.Relation == Relation.ServedBy).RuleId());
                // Without them and without the topology, the bdi's name alone says so (only fuse_bdi_init names a bdi "MAJ:MIN-fuseblk").
                var bare = Assert.Single(Analyze.Files(noEvents), f => f.Tasks.Any(t => t.Comm == "dd"));
                Assert.Equal("7:3", Assert.IsType<FuseConnectionNode>(Assert.Single(bare.Chain, e => e.Relation == Relation.InRequestTo).To).Dev.ToString());
            }
            finally { File.Delete(noEvents); }
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
