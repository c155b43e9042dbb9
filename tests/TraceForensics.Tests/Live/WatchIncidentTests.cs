using System.Diagnostics;
using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Capture;
using TraceForensics.Cli.Capture;
using TraceForensics.Cli.Commands;
using TraceForensics.Cli.Watch;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Live;

/// <summary>`tracefx watch` on this machine's kernel (root, tracefs, mkfs of the filesystem, fsfreeze, loop devices;
/// skipped elsewhere with the reason), on the frozen-backing experiment of ../shared/tools/capture-real-traces.sh, on XFS
/// and on ext4: a filesystem on a loop device over a file of a second one of the same type that is frozen, dd
/// conv=fsync into the first. The watch (--stall 2) writes an incident whose trace file, read back with analyze, gives
/// the chain from dd to the frozen filesystem and the finding the watch printed; after the thaw the incident is marked
/// cleared. With -o on the frozen filesystem itself, the incident goes to --fallback-dir and the watch says so (it is
/// not blocked by the freeze). Thawed, unmounted and detached in finally blocks (the thaw first: unmounting over a
/// frozen filesystem would wait for ever).</summary>
[Collection("live kernel")]
public class WatchIncidentTests
{
    private const string FsFreeze = "/usr/sbin/fsfreeze";

    /// <summary>Where -o is: on the machine's own filesystem; on the frozen filesystem (in the chain); on a third
    /// filesystem, frozen too but in no chain (the write to it hangs: the watch gives up on it and falls back).</summary>
    public enum Output { Apart, OnTheFrozenFilesystem, OnAnotherFrozenFilesystem }

    [SkippableTheory]
    [InlineData("xfs", Output.Apart)]
    [InlineData("ext4", Output.Apart)]
    [InlineData("xfs", Output.OnTheFrozenFilesystem)]
    [InlineData("xfs", Output.OnAnotherFrozenFilesystem)]
    public void Writes_an_incident_whose_trace_gives_the_chain_to_the_frozen_backing_filesystem(string fsType, Output output)
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "watching needs root");
        Skip.If(Tracefs.Find(out var why) is null, why ?? "no tracefs");
        Skip.IfNot(File.Exists($"/usr/sbin/mkfs.{fsType}") || File.Exists($"/sbin/mkfs.{fsType}"), $"mkfs.{fsType} is not installed (.ci/run installs it)");
        Skip.IfNot(File.Exists(FsFreeze), "fsfreeze (util-linux) is not installed");
        Skip.IfNot(File.Exists("/usr/sbin/losetup") || File.Exists("/sbin/losetup"), "no losetup");
        var work = Directory.CreateTempSubdirectory("tfx-watch-").FullName;
        var fallback = Path.Combine(work, "fallback");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        using var cancel = new CancellationTokenSource();
        Thread? watcher = null;
        int exit = -1;
        try
        {
            using var outer = new LoopXfs(Path.Combine(work, "outer.img"), "1G", Path.Combine(work, "outer"), fsType);
            using var inner = new LoopXfs(Path.Combine(outer.Mount, "inner.img"), "512M", Path.Combine(work, "inner"), fsType);
            using var other = output == Output.OnAnotherFrozenFilesystem ? new LoopXfs(Path.Combine(work, "other.img"), "512M", Path.Combine(work, "other"), fsType) : null;
            var incidents = Path.Combine(output switch { Output.OnTheFrozenFilesystem => outer.Mount, Output.OnAnotherFrozenFilesystem => other!.Mount, _ => work }, "incidents");
            var landing = output == Output.Apart ? incidents : fallback;
            var settings = new WatchCommand.Settings(incidents, StallNs: 2_000_000_000, DeadlockOnly: false, WindowNs: 30_000_000_000,
                Once: false, Exec: null, BufferKb: null, RecordingPlan.Default) { FallbackDirectory = fallback };
            watcher = new Thread(() => exit = WatchCommand.Run(settings, stdout, stderr, cancel.Token)) { IsBackground = true };
            watcher.Start();
            Thread.Sleep(3000); // armed and reading
            bool frozen = false, otherFrozen = false;
            Process? dd = null;
            string? dir = null;
            bool cleared = false;
            try
            {
                // Nothing of the inner filesystem's left to write (its mount's and mkfs's own writes): the loop worker then
                // blocks on the freeze for dd's writeback, not earlier on its own, and the first incident (the first task
                // past --stall) is not one that dd has not joined yet.
                LoopXfs.Sh("sync");
                if (other is not null)
                {
                    LoopXfs.Sh(FsFreeze, "-f", other.Mount);
                    otherFrozen = true;
                }
                LoopXfs.Sh(FsFreeze, "-f", outer.Mount);
                frozen = true;
                dd = Process.Start("dd", ["if=/dev/urandom", $"of={inner.Mount}/stalled", "bs=1M", "count=16", "conv=fsync", "status=none"]);
                // 2 s of stall, then the writing; the bounds are bounds, not timings. findings.lkml.txt is written last.
                dir = Until(TimeSpan.FromSeconds(90), () => Directory.Exists(landing)
                    ? Directory.GetDirectories(landing, "incident-*").Order(StringComparer.Ordinal)
                        .FirstOrDefault(d => File.Exists(Path.Combine(d, IncidentWriter.FindingsLkml)))
                    : null);
                LoopXfs.Sh(FsFreeze, "-u", outer.Mount);
                frozen = false;
                dd.WaitForExit();
                if (dir is not null) cleared = Until(TimeSpan.FromSeconds(60), () => File.Exists(Path.Combine(dir, IncidentWriter.ClearedFile)) ? "yes" : null) is not null;
            }
            finally
            {
                if (frozen) LoopXfs.Sh(FsFreeze, "-u", outer.Mount);
                if (otherFrozen) LoopXfs.Sh(FsFreeze, "-u", other!.Mount);
                dd?.WaitForExit();
                cancel.Cancel();
                watcher.Join(TimeSpan.FromSeconds(60));
            }
            string Said() => stdout + "\n" + stderr;
            Assert.True(exit == 0, Said());
            Assert.False(Directory.Exists(Path.Combine(Tracefs.DefaultMount, "instances", TracefsRecording.InstanceNameFor(Environment.ProcessId))),
                "instance left behind: " + stderr);
            Assert.True(dir is not null, "no incident: " + Said());
            Assert.Contains($"incident {dir}: stall", stdout.ToString());
            if (output == Output.OnTheFrozenFilesystem)
                Assert.Contains($"the filesystem of {incidents} ({LoopXfs.DeviceNumberOf(outer.Device!)}) is in the incident's chain (through {LoopXfs.DeviceNumberOf(outer.Device!)}): the incident goes to {fallback}", stdout.ToString());
            if (output == Output.OnAnotherFrozenFilesystem)
            {
                Assert.Contains($"no directory was made in {incidents} within {IncidentDirectory.ProbeTimeout.TotalSeconds} s", stdout.ToString());
                // The mkdir given up on ends at the thaw and undoes itself.
                Assert.True(Until(TimeSpan.FromSeconds(30), () => Directory.GetDirectories(incidents, "incident-*").Length == 0 ? "none" : null) is not null,
                    string.Join(", ", Directory.GetFileSystemEntries(incidents, "*", SearchOption.AllDirectories)) + "\n" + Said());
            }
            if (output != Output.Apart) Assert.Empty(Directory.GetDirectories(incidents, "incident-*"));
            foreach (var f in new[] { IncidentWriter.TraceFile, IncidentWriter.BlockedFile, IncidentWriter.TopologyFile, IncidentWriter.FindingsText, IncidentWriter.FindingsJson, IncidentWriter.FindingsLkml })
                Assert.True(File.Exists(Path.Combine(dir, f)), $"{f} missing; {stderr}");
            Assert.Empty(Directory.GetFiles(dir, ".*.tmp"));

            // The trace file read back with analyze: the stall rooted at the frozen outer filesystem, dd in it, the loop
            // worker serving the inner device on the way; it began when the watch said it did.
            var trace = Path.Combine(dir, IncidentWriter.TraceFile);
            string Seen() => Run.Cli("analyze", "--stall-threshold", "2", trace).Stdout + Said();
            var stall = Analyze.Files(trace).SingleOrDefault(f => f.Kind == FindingKind.Stall && f.Root is FrozenFsNode);
            Assert.True(stall is not null, Seen());
            Assert.Contains(stall.Tasks, t => t.Comm == "dd");
            Assert.True(stall.Chain.Any(x => x.Relation == Relation.ServedBy), Seen());
            // With a second filesystem frozen (-o's), nothing in the trace says which of the two this wait is for.
            if (output != Output.OnAnotherFrozenFilesystem) Assert.True(((FrozenFsNode)stall.Root!).Dev == LoopXfs.DeviceNumberOf(outer.Device!), Seen());
            Assert.Contains("frozen filesystem", File.ReadAllText(Path.Combine(dir, IncidentWriter.FindingsText)));
            Assert.Contains($"incident {dir}: stall at {TraceForensics.Events.Model.TraceTime.Format(stall.AtNs)}: ", stdout.ToString());
            // The storage topology at the incident: the loop device of the inner filesystem, as record's topology says it.
            Assert.Contains($"loop {LoopXfs.DeviceNumberOf(inner.Device!)} ", File.ReadAllText(Path.Combine(dir, IncidentWriter.TopologyFile)));

            // The sysrq-w dump reads back through the kernel-log reader: the tasks blocked at the incident (the loop worker
            // on the freeze, dd on writeback once it reached its fsync) reported with the stacks of their waits.
            var dump = Analyze.Files(Path.Combine(dir, IncidentWriter.BlockedFile)).SelectMany(f => f.Tasks).ToList();
            Assert.True(dump.Any(t => t.Stack.Contains("percpu_rwsem_wait") || t.Stack.Contains("folio_wait_writeback")),
                Run.Cli("analyze", Path.Combine(dir, IncidentWriter.BlockedFile)).Stdout);

            // After the thaw: cleared, with how long it lasted.
            Assert.True(cleared, "not marked cleared: " + Said());
            Assert.Matches(@"^cleared at [0-9.]+: task [0-9]+ blocked from [0-9.]+ for [0-9.]+ s\n$", File.ReadAllText(Path.Combine(dir, IncidentWriter.ClearedFile)));
        }
        finally
        {
            cancel.Cancel();
            watcher?.Join(TimeSpan.FromSeconds(60));
            Directory.Delete(work, true);
        }
    }

    /// <summary>A chain that grows while it hangs: the inner filesystem's pages are written back by a sync first (the
    /// loop worker blocks on the freeze, the sync behind it: the incident is written for them), dd conv=fsync starts only
    /// once that incident is written and joins the chain. The watch writes the incident again over its directory, says
    /// that dd joined, and the rewritten findings name dd.</summary>
    [SkippableFact]
    public void An_incident_whose_chain_grows_is_written_again_naming_the_task_that_joined()
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "watching needs root");
        Skip.If(Tracefs.Find(out var why) is null, why ?? "no tracefs");
        Skip.IfNot(File.Exists("/usr/sbin/mkfs.xfs") || File.Exists("/sbin/mkfs.xfs"), "mkfs.xfs is not installed (.ci/run installs it)");
        Skip.IfNot(File.Exists(FsFreeze), "fsfreeze (util-linux) is not installed");
        Skip.IfNot(File.Exists("/usr/sbin/losetup") || File.Exists("/sbin/losetup"), "no losetup");
        var work = Directory.CreateTempSubdirectory("tfx-watch-").FullName;
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        using var cancel = new CancellationTokenSource();
        Thread? watcher = null;
        try
        {
            using var outer = new LoopXfs(Path.Combine(work, "outer.img"), "1G", Path.Combine(work, "outer"), "xfs");
            using var inner = new LoopXfs(Path.Combine(outer.Mount, "inner.img"), "512M", Path.Combine(work, "inner"), "xfs");
            var incidents = Path.Combine(work, "incidents");
            var settings = new WatchCommand.Settings(incidents, StallNs: 2_000_000_000, DeadlockOnly: false, WindowNs: 30_000_000_000,
                Once: false, Exec: null, BufferKb: null, RecordingPlan.Default) { FallbackDirectory = Path.Combine(work, "fallback") };
            watcher = new Thread(() => WatchCommand.Run(settings, stdout, stderr, cancel.Token)) { IsBackground = true };
            watcher.Start();
            Thread.Sleep(3000); // armed and reading
            bool frozen = false;
            Process? sync = null, dd = null;
            string? dir = null, grew = null;
            try
            {
                LoopXfs.Sh("sync");
                LoopXfs.Sh("dd", "if=/dev/urandom", $"of={inner.Mount}/first", "bs=1M", "count=4", "status=none"); // dirty, not written back
                LoopXfs.Sh(FsFreeze, "-f", outer.Mount);
                frozen = true;
                sync = Process.Start("sync", ["-f", $"{inner.Mount}/first"]);
                dir = Until(TimeSpan.FromSeconds(90), () => Directory.Exists(incidents)
                    ? Directory.GetDirectories(incidents, "incident-*").FirstOrDefault(d => File.Exists(Path.Combine(d, IncidentWriter.FindingsLkml)))
                    : null);
                if (dir is not null)
                {
                    dd = Process.Start("dd", ["if=/dev/urandom", $"of={inner.Mount}/stalled", "bs=1M", "count=16", "conv=fsync", "status=none"]);
                    // findings.txt is replaced atomically, so it can be read while the watch writes it again.
                    grew = Until(TimeSpan.FromSeconds(90), () =>
                        System.Text.RegularExpressions.Regex.IsMatch(File.ReadAllText(Path.Combine(dir, IncidentWriter.FindingsText)), @"\bdd:[0-9]+") ? "yes" : null);
                }
            }
            finally
            {
                if (frozen) LoopXfs.Sh(FsFreeze, "-u", outer.Mount);
                sync?.WaitForExit();
                dd?.WaitForExit();
                cancel.Cancel();
                watcher.Join(TimeSpan.FromSeconds(60));
            }
            string Said() => stdout + "\n" + stderr;
            Assert.True(dir is not null, "no incident: " + Said());
            Assert.True(grew is not null, "the incident was not written again: " + Said());
            Assert.True(System.Text.RegularExpressions.Regex.IsMatch(stdout.ToString(),
                $@"incident {System.Text.RegularExpressions.Regex.Escape(dir)} grew \((.*, )?dd:{dd!.Id}(, [^)]*)? joined\), written again"), Said());
            Assert.Single(Directory.GetDirectories(incidents, "incident-*"));
            Assert.Contains(Analyze.Files(Path.Combine(dir, IncidentWriter.TraceFile)), f => f.Kind == FindingKind.Stall && f.Tasks.Any(t => t.Comm == "dd"));
        }
        finally
        {
            cancel.Cancel();
            watcher?.Join(TimeSpan.FromSeconds(60));
            Directory.Delete(work, true);
        }
    }

    /// <summary>What <paramref name="probe"/> gives once it gives something, looked at every quarter second, or null when
    /// <paramref name="bound"/> passed first.</summary>
    private static string? Until(TimeSpan bound, Func<string?> probe)
    {
        var until = DateTime.UtcNow + bound;
        while (true)
        {
            if (probe() is { } found) return found;
            if (DateTime.UtcNow > until) return null;
            Thread.Sleep(250);
        }
    }
}
