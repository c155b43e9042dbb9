using System.Diagnostics;
using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Capture;
using TraceForensics.Cli.Capture;
using TraceForensics.Cli.Commands;
using TraceForensics.Cli.Watch;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Live;

/// <summary>`tracefx watch` on this machine's kernel (root, tracefs, xfsprogs, loop devices; skipped elsewhere with the
/// reason), on the frozen-backing experiment of ../shared/tools/capture-real-traces.sh: an XFS on a loop device over a
/// file of a second XFS that is frozen, dd conv=fsync into the first. The watch (--once --stall 2) writes one incident
/// whose trace file, read back with analyze, gives the chain from dd to the frozen filesystem. Thawed, unmounted and
/// detached in finally blocks (the thaw first: unmounting over a frozen filesystem would wait for ever).</summary>
[Collection("live kernel")]
public class WatchIncidentTests
{
    [SkippableFact]
    public void Writes_an_incident_whose_trace_gives_the_chain_to_the_frozen_backing_filesystem()
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "watching needs root");
        Skip.If(Tracefs.Find(out var why) is null, why ?? "no tracefs");
        Skip.IfNot(File.Exists("/usr/sbin/mkfs.xfs") && File.Exists("/usr/sbin/xfs_freeze"), "xfsprogs is not installed (.ci/run installs it)");
        Skip.IfNot(File.Exists("/usr/sbin/losetup") || File.Exists("/sbin/losetup"), "no losetup");
        var work = Directory.CreateTempSubdirectory("tfx-watch-").FullName;
        var incidents = Path.Combine(work, "incidents");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        using var cancel = new CancellationTokenSource();
        Thread? watcher = null;
        int exit = -1;
        try
        {
            using var outer = new LoopXfs(Path.Combine(work, "outer.img"), "1G", Path.Combine(work, "outer"));
            using var inner = new LoopXfs(Path.Combine(outer.Mount, "inner.img"), "512M", Path.Combine(work, "inner"));
            var settings = new WatchCommand.Settings(incidents, StallNs: 2_000_000_000, DeadlockOnly: false, WindowNs: 30_000_000_000,
                Once: true, Exec: null, BufferKb: null, RecordingPlan.Default);
            watcher = new Thread(() => exit = WatchCommand.Run(settings, stdout, stderr, cancel.Token)) { IsBackground = true };
            watcher.Start();
            Thread.Sleep(3000); // armed and reading
            bool frozen = false;
            Process? dd = null;
            try
            {
                LoopXfs.Sh("xfs_freeze", "-f", outer.Mount);
                frozen = true;
                dd = Process.Start("dd", ["if=/dev/urandom", $"of={inner.Mount}/stalled", "bs=1M", "count=16", "conv=fsync", "status=none"]);
                // --once: the watch ends with its first incident (2 s of stall, then the writing); 60 s is a bound, not a timing.
                if (!watcher.Join(TimeSpan.FromSeconds(60))) cancel.Cancel();
            }
            finally
            {
                if (frozen) LoopXfs.Sh("xfs_freeze", "-u", outer.Mount);
                dd?.WaitForExit();
                cancel.Cancel();
                watcher.Join(TimeSpan.FromSeconds(60));
            }
            Assert.True(exit == 0, stderr.ToString());
            Assert.False(Directory.Exists(Path.Combine(Tracefs.DefaultMount, "instances", TracefsRecording.InstanceNameFor(Environment.ProcessId))),
                "instance left behind: " + stderr);
            var dir = Assert.Single(Directory.GetDirectories(incidents, "incident-*"));
            Assert.Contains($"incident {dir}: stall", stdout.ToString());
            foreach (var f in new[] { IncidentWriter.TraceFile, IncidentWriter.BlockedFile, IncidentWriter.TopologyFile, IncidentWriter.FindingsText, IncidentWriter.FindingsJson, IncidentWriter.FindingsLkml })
                Assert.True(File.Exists(Path.Combine(dir, f)), $"{f} missing; {stderr}");
            Assert.Empty(Directory.GetFiles(dir, ".*.tmp"));

            // The trace file read back with analyze: the stall rooted at the frozen outer filesystem, dd in it, the loop
            // worker serving the inner device on the way.
            var trace = Path.Combine(dir, IncidentWriter.TraceFile);
            string Seen() => Run.Cli("analyze", "--stall-threshold", "2", trace).Stdout + stderr;
            var stall = Analyze.Files(trace).SingleOrDefault(f => f.Kind == FindingKind.Stall && f.Root is FrozenFsNode);
            Assert.True(stall is not null, Seen());
            Assert.Contains(stall.Tasks, t => t.Comm == "dd");
            Assert.True(stall.Chain.Any(x => x.Relation == Relation.ServedBy), Seen());
            Assert.True(((FrozenFsNode)stall.Root!).Dev == LoopXfs.DeviceNumberOf(outer.Device!), Seen());
            Assert.Contains("frozen filesystem", File.ReadAllText(Path.Combine(dir, IncidentWriter.FindingsText)));
            // The storage topology at the incident: the loop device of the inner filesystem, as record's topology says it.
            Assert.Contains($"loop {LoopXfs.DeviceNumberOf(inner.Device!)} ", File.ReadAllText(Path.Combine(dir, IncidentWriter.TopologyFile)));

            // The sysrq-w dump reads back through the kernel-log reader: the tasks blocked at the incident (the loop worker
            // on the freeze, dd on writeback once it reached its fsync) reported with the stacks of their waits.
            var dump = Analyze.Files(Path.Combine(dir, IncidentWriter.BlockedFile)).SelectMany(f => f.Tasks).ToList();
            Assert.True(dump.Any(t => t.Stack.Contains("percpu_rwsem_wait") || t.Stack.Contains("folio_wait_writeback")),
                Run.Cli("analyze", Path.Combine(dir, IncidentWriter.BlockedFile)).Stdout);
        }
        finally
        {
            cancel.Cancel();
            watcher?.Join(TimeSpan.FromSeconds(60));
            Directory.Delete(work, true);
        }
    }
}
