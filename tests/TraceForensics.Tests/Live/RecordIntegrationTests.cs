using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Capture;
using TraceForensics.Events.Model;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Live;

/// <summary>Records real workloads on this machine's kernel (root, tracefs, xfsprogs, loop devices; skipped elsewhere
/// with the reason) and analyses them. Everything made is undone in finally blocks.</summary>
[Collection("live kernel")] // one at a time: they share tracefs and loop devices
public class RecordIntegrationTests
{
    private static void RequireLiveKernel()
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "recording needs root");
        Skip.If(Tracefs.Find(out var why) is null, why ?? "no tracefs");
        Skip.IfNot(File.Exists("/usr/sbin/mkfs.xfs") && File.Exists("/usr/sbin/xfs_freeze"), "xfsprogs is not installed (.ci/run installs it)");
        Skip.IfNot(File.Exists("/usr/sbin/losetup") || File.Exists("/sbin/losetup"), "no losetup");
    }

    [SkippableFact]
    public void Records_an_fsync_workload_on_xfs_and_finds_no_deadlock()
    {
        RequireLiveKernel();
        var work = Directory.CreateTempSubdirectory("tfx-rec-").FullName;
        try
        {
            using var fs = new LoopXfs(Path.Combine(work, "fs.img"), "512M", Path.Combine(work, "mnt"));
            var trace = Path.Combine(work, "fsync.txt");
            var o = new StringWriter();
            var e = new StringWriter();
            int exit = TraceForensics.Cli.Commands.RecordCommand.Run(trace, null, 8192,
                ["dd", "if=/dev/urandom", $"of={fs.Mount}/f", "bs=1M", "count=32", "conv=fsync", "status=none"], o, e);
            Assert.True(exit == 0, e.ToString());
            Assert.False(Directory.Exists(Path.Combine(Tracefs.DefaultMount, "instances", TracefsRecording.InstanceNameFor(Environment.ProcessId))), "instance left behind");
            var (_, events) = Run.Files(trace);
            var kinds = events.Select(x => x.Kind).ToHashSet();
            foreach (var k in new[] { EventKind.SchedSwitch, EventKind.FolioDirtied, EventKind.WritebackStart, EventKind.BioQueue, EventKind.RequestComplete })
                Assert.Contains(k, kinds);
            Assert.Contains(events, x => x.Kind == EventKind.WritebackStart && x.Payload.Sector is not null); // iomap_add_to_ioend
            var findings = Analyze.Files(trace);
            Assert.DoesNotContain(findings, f => f.Kind is FindingKind.Deadlock or FindingKind.PotentialDeadlock);
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }

    [SkippableFact]
    public void A_killed_recording_s_instance_is_removed_and_a_running_process_s_instance_is_left_alone()
    {
        RequireLiveKernel();
        var instances = Path.Combine(Tracefs.DefaultMount, "instances");
        // pid_max is at most 2^22 (include/linux/threads.h PID_MAX_LIMIT): this pid runs nowhere.
        var stale = Path.Combine(instances, TracefsRecording.InstanceNameFor(4_194_305));
        var live = Path.Combine(instances, TracefsRecording.InstanceNameFor(1)); // init runs
        var trace = Path.Combine(Path.GetTempPath(), $"tfx-stale-{Environment.ProcessId}.txt");
        try
        {
            Directory.CreateDirectory(stale);
            Directory.CreateDirectory(live);
            var e = new StringWriter();
            Assert.Equal(0, TraceForensics.Cli.Commands.RecordCommand.Run(trace, 0.5, 1024, [], new StringWriter(), e));
            Assert.False(Directory.Exists(stale), "a dead process's instance stayed");
            Assert.True(Directory.Exists(live), "a running process's instance was removed");
            Assert.False(Directory.Exists(Path.Combine(instances, TracefsRecording.InstanceNameFor(Environment.ProcessId))), "own instance left behind");
        }
        finally
        {
            foreach (var d in new[] { stale, live }) if (Directory.Exists(d)) Directory.Delete(d);
            foreach (var f in Directory.GetFiles(Path.GetTempPath(), $"tfx-stale-{Environment.ProcessId}.txt*")) File.Delete(f);
        }
    }

    [SkippableFact]
    public void Records_the_storage_topology_naming_a_loop_s_backing_file_and_its_filesystem()
    {
        RequireLiveKernel();
        var work = Directory.CreateTempSubdirectory("tfx-top-").FullName;
        try
        {
            using var outer = new LoopXfs(Path.Combine(work, "outer.img"), "512M", Path.Combine(work, "out er")); // a space: \040
            using var inner = new LoopXfs(Path.Combine(outer.Mount, "inner.img"), "300M", Path.Combine(work, "inner"));
            var outerDev = LoopXfs.DeviceNumberOf(outer.Device!);
            var innerDev = LoopXfs.DeviceNumberOf(inner.Device!);
            var trace = Path.Combine(work, "t.txt");
            var o = new StringWriter();
            var e = new StringWriter();
            int exit = TraceForensics.Cli.Commands.RecordCommand.Run(trace, 1, 4096, [], o, e);
            Assert.True(exit == 0, e.ToString());
            var topologyPath = trace + ".topology.txt";
            Assert.Contains(topologyPath, o.ToString()); // the printed analyze line names it
            var lines = File.ReadAllLines(topologyPath);
            Assert.Equal("# tracefx topology v4", lines[0]);
            var escapedImage = inner.Image.Replace(" ", "\\040");
            var expectedLoop = $"loop {innerDev} backing_file={escapedImage} fs={outerDev} name={Path.GetFileName(inner.Device!)}";
            Assert.True(lines.Contains(expectedLoop), $"no line {expectedLoop} in:\n{string.Join("\n", lines)}");
            var expectedMount = $"mount {outerDev} {outer.Mount.Replace(" ", "\\040")} xfs";
            Assert.True(lines.Contains(expectedMount), $"no line {expectedMount} in:\n{string.Join("\n", lines)}");
            Assert.Empty(Directory.GetFiles(work, ".*.tmp"));

            // analyze reads it with the trace: the replay knows what the inner loop is backed by.
            var (session, events) = Run.Files(trace, topologyPath);
            var engine = new TraceForensics.Replay.ReplayEngine(session.Tables.Stacks);
            foreach (var x in events) engine.Apply(x);
            var backing = engine.State.Topology.BackingFsOf(innerDev);
            Assert.NotNull(backing);
            Assert.Equal(outerDev, backing.BackingFs);
            Assert.Equal(inner.Image, backing.BackingFile);
            session.Dispose();
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }

    [SkippableFact]
    public void Records_a_frozen_backing_filesystem_stall_rooted_at_the_freeze()
    {
        RequireLiveKernel();
        var work = Directory.CreateTempSubdirectory("tfx-frz-").FullName;
        bool frozen = false;
        string? outerMount = null;
        try
        {
            using var outer = new LoopXfs(Path.Combine(work, "outer.img"), "1G", Path.Combine(work, "outer"));
            outerMount = outer.Mount;
            using var inner = new LoopXfs(Path.Combine(outer.Mount, "inner.img"), "512M", Path.Combine(work, "inner"));
            var trace = Path.Combine(work, "stall.txt");
            var recording = Recording.Start(trace, seconds: 9);
            // Freeze the filesystem under the loop device first: the inner writes then cannot reach the disk.
            LoopXfs.Sh("xfs_freeze", "-f", outer.Mount);
            frozen = true;
            var dd = System.Diagnostics.Process.Start("dd", ["if=/dev/urandom", $"of={inner.Mount}/stalled", "bs=1M", "count=16", "conv=fsync", "status=none"]);
            Thread.Sleep(4500);
            LoopXfs.Sh("xfs_freeze", "-u", outer.Mount);
            frozen = false;
            dd.WaitForExit();
            var (exit, stderr) = recording.Wait();
            Assert.True(exit == 0, stderr);
            var findings = Analyze.Files(trace);
            // On a failure, say what the analysis saw (the capture is deleted with the work directory).
            string Seen() => Run.Cli("analyze", trace).Stdout;
            Assert.False(findings.Any(f => f.Kind == FindingKind.Deadlock), Seen());
            var stall = findings.SingleOrDefault(f => f.Kind == FindingKind.Stall && f.Root is FrozenFsNode);
            Assert.True(stall is not null, Seen());
            Assert.True(stall.Chain.Any(x => x.Relation == Relation.ServedBy), Seen());
            Assert.Contains(stall.Tasks, t => t.Comm == "dd");
            // The freeze is named by the freezer's own I/O: the outer filesystem's loop device, not any other.
            var outerDev = LoopXfs.DeviceNumberOf(outer.Device!);
            Assert.True(((FrozenFsNode)stall.Root!).Dev == outerDev, Seen());
        }
        finally
        {
            if (frozen && outerMount is not null) { try { LoopXfs.Sh("xfs_freeze", "-u", outerMount); } catch (InvalidOperationException) { } }
            Directory.Delete(work, true);
        }
    }

    /// <summary>Two inner loops, each backed by a file on its own frozen outer XFS, one dd on each; the inner loop numbers
    /// run against the nesting (the second outer's inner loop is made first). Two findings, each with its own inner
    /// device, the worker running that loop's work item, and (from the topology record saved) its own outer
    /// filesystem; without the topology, the frozen filesystem is unknown, never a wrong one.</summary>
    [SkippableFact]
    public void Two_frozen_backing_filesystems_are_two_findings_with_their_own_workers_and_devices()
    {
        RequireLiveKernel();
        var work = Directory.CreateTempSubdirectory("tfx-frz2-").FullName;
        var frozen = new List<string>();
        try
        {
            using var outerA = new LoopXfs(Path.Combine(work, "outerA.img"), "1G", Path.Combine(work, "outerA"));
            using var outerB = new LoopXfs(Path.Combine(work, "outerB.img"), "1G", Path.Combine(work, "outerB"));
            using var innerB = new LoopXfs(Path.Combine(outerB.Mount, "inner.img"), "512M", Path.Combine(work, "innerB"));
            using var innerA = new LoopXfs(Path.Combine(outerA.Mount, "inner.img"), "512M", Path.Combine(work, "innerA"));
            var trace = Path.Combine(work, "stall2.txt");
            var recording = Recording.Start(trace, seconds: 9);
            foreach (var outer in new[] { outerA, outerB }) { LoopXfs.Sh("xfs_freeze", "-f", outer.Mount); frozen.Add(outer.Mount); }
            var dds = new[] { innerA, innerB }.Select(inner => System.Diagnostics.Process.Start("dd",
                ["if=/dev/urandom", $"of={inner.Mount}/stalled", "bs=1M", "count=8", "conv=fsync", "status=none"])).ToList();
            Thread.Sleep(4500);
            foreach (var m in frozen.ToList()) { LoopXfs.Sh("xfs_freeze", "-u", m); frozen.Remove(m); }
            foreach (var dd in dds) dd.WaitForExit();
            var (exit, stderr) = recording.Wait();
            Assert.True(exit == 0, stderr);
            var topology = trace + ".topology.txt";
            Assert.True(File.Exists(topology), "record saved no topology");
            var findings = Analyze.Files(trace, topology);
            string Seen() => Run.Cli("analyze", trace, topology).Stdout;
            foreach (var (inner, outer) in new[] { (innerA, outerA), (innerB, outerB) })
            {
                var innerDev = LoopXfs.DeviceNumberOf(inner.Device!);
                var f = findings.SingleOrDefault(f => f.Chain.Any(x => x.Relation == Relation.ServedBy && x.From is DeviceNode d && d.Dev == innerDev));
                Assert.True(f is not null, $"no finding with {innerDev} served by a worker:\n{Seen()}");
                Assert.True(f.Root is FrozenFsNode { Dev: var dev } && dev == LoopXfs.DeviceNumberOf(outer.Device!), $"{innerDev}: wrong root {f.Root?.Label}\n{Seen()}");
            }
            var workers = findings.SelectMany(f => f.Chain).Where(x => x.Relation == Relation.ServedBy).Select(x => ((TaskNode)x.To).Pid).Distinct().ToList();
            Assert.True(workers.Count == 2, Seen());
            // Without the topology a finding names its outer filesystem only from the trace's evidence, never a wrong one.
            var inners = new[] { (innerA, outerA), (innerB, outerB) }.ToDictionary(p => LoopXfs.DeviceNumberOf(p.Item1.Device!), p => LoopXfs.DeviceNumberOf(p.Item2.Device!));
            foreach (var f in Analyze.Files(trace).Where(f => f.Root is FrozenFsNode { Dev: not null }))
            {
                var innerDev = f.Chain.Where(x => x.Relation == Relation.ServedBy).Select(x => ((DeviceNode)x.From).Dev).Single();
                Assert.True(((FrozenFsNode)f.Root!).Dev == inners[innerDev], $"{innerDev}: {f.Root.Label}\n{Run.Cli("analyze", trace).Stdout}");
            }
        }
        finally
        {
            foreach (var m in frozen) { try { LoopXfs.Sh("xfs_freeze", "-u", m); } catch (InvalidOperationException) { } }
            Directory.Delete(work, true);
        }
    }
}

/// <summary>`tracefx record` running in the background for the live tests, started and armed.</summary>
internal sealed class Recording
{
    private readonly Thread _thread;
    private readonly StringWriter _stderr = new();
    private int _exit = -1;

    private Recording(string trace, double seconds)
    {
        _thread = new Thread(() => _exit = TraceForensics.Cli.Commands.RecordCommand.Run(trace, seconds, 16384, [], new StringWriter(), _stderr));
    }

    /// <summary>Starts recording and returns once the instance is armed (slow on a loaded machine), plus a moment.</summary>
    public static Recording Start(string trace, double seconds)
    {
        var r = new Recording(trace, seconds);
        r._thread.Start();
        var tracingOn = Path.Combine(Tracefs.DefaultMount, "instances", TracefsRecording.InstanceNameFor(Environment.ProcessId), "tracing_on");
        for (int i = 0; i < 200 && !(File.Exists(tracingOn) && File.ReadAllText(tracingOn).Trim() == "1"); i++) Thread.Sleep(50);
        Thread.Sleep(500);
        return r;
    }

    /// <summary>Waits for the end of the recording: its exit code and what it wrote to stderr.</summary>
    public (int Exit, string Stderr) Wait()
    {
        _thread.Join();
        return (_exit, _stderr.ToString());
    }
}

[Collection("live kernel")] // not while a live test has an instance armed
public class RecordArgumentTests
{
    [Theory]
    [InlineData("-2")]
    [InlineData("0")]
    [InlineData("NaN")]
    [InlineData("1e12")]
    public void Durations_that_are_not_positive_seconds_are_usage_errors(string duration)
    {
        var (exit, _, stderr) = Run.Cli("record", "-o", "/tmp/tfx-never-written.txt", "--duration", duration);
        Assert.Equal(2, exit);
        Assert.Contains("--duration", stderr);
        Assert.False(File.Exists("/tmp/tfx-never-written.txt"));
    }

    [Fact]
    public void A_missing_output_directory_exits_2_before_anything_is_armed()
    {
        var e = new StringWriter();
        Assert.Equal(2, TraceForensics.Cli.Commands.RecordCommand.Run("/nonexistent-dir/x.txt", 1, 1024, [], new StringWriter(), e));
        Assert.Contains("tracefx:", e.ToString());
        Assert.False(Directory.Exists(Path.Combine(Tracefs.DefaultMount, "instances", TracefsRecording.InstanceNameFor(Environment.ProcessId))));
    }
}
