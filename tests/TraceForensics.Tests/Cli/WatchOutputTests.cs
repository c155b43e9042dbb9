using System.Text;
using TraceForensics.Analysis.Findings;
using TraceForensics.Capture;
using TraceForensics.Cli.Commands;
using TraceForensics.Cli.Watch;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Cli;

/// <summary>Where `tracefx watch` writes an incident, without a kernel: the decision that -o's filesystem is in the
/// chain (on the finding of the real frozen-backing trace: dd's fsync behind the loop device 7:2 whose backing file is
/// on the frozen filesystem 7:1), the fallback directory it then goes to, SIGHUP's reopening of a moved -o, and the
/// bounded worker that keeps a hung -o from hanging the watcher.</summary>
public class WatchOutputTests
{
    private static Finding FrozenBackingStall()
    {
        var path = Path.Combine(Require.RealTraces(), "xfs-frozen-backing-stall.ftrace.txt");
        return Assert.Single(Analyze.Files(path), f => f.Kind == FindingKind.Stall);
    }

    private static StorageTopology.Loop Loop(string dev, string backingFs) => new(dev, Encoding.UTF8.GetBytes("/mnt/img"), backingFs);

    [SkippableFact]
    public void An_output_on_the_frozen_filesystem_or_on_a_device_resting_on_it_is_in_the_chain()
    {
        var stall = FrozenBackingStall();
        var none = new StorageTopology();
        Assert.Equal("7:1", OutputInChain.Through("7:1", stall, none)); // -o on the frozen filesystem itself
        Assert.Equal("7:2", OutputInChain.Through("7:2", stall, none)); // -o on the stalled loop device's filesystem
        Assert.Null(OutputInChain.Through("8:0", stall, none));
        Assert.Null(OutputInChain.Through("7:5", stall, none)); // another loop, of unknown backing

        var topology = new StorageTopology();
        topology.Loops.Add(Loop("7:5", backingFs: "7:1")); // a third loop over a file of the frozen filesystem
        topology.Loops.Add(Loop("7:6", backingFs: "8:1"));
        topology.DmDevices.Add(new StorageTopology.Dm("253:0", Encoding.UTF8.GetBytes("vg-lv"), ["7:5"]));
        topology.BtrfsFilesystems.Add(new StorageTopology.Btrfs("fsid", "btrfs-1", "0:50", ["253:0"]));
        Assert.Equal("7:1", OutputInChain.Through("7:5", stall, topology));
        Assert.Equal("7:1", OutputInChain.Through("253:0", stall, topology)); // dm over that loop
        Assert.Equal("7:1", OutputInChain.Through("0:50", stall, topology)); // btrfs on that dm
        Assert.Null(OutputInChain.Through("7:6", stall, topology));
        Assert.Null(OutputInChain.Through("0:51", stall, topology));
    }

    [SkippableFact]
    public void An_incident_whose_chain_holds_the_output_goes_to_the_fallback_directory_and_says_so()
    {
        var stall = FrozenBackingStall();
        var work = Directory.CreateTempSubdirectory("tfx-watch-out-").FullName;
        try
        {
            var stderr = new StringWriter();
            using var output = IncidentDirectory.Take(Path.Combine(work, "incidents"), stderr);
            using var fallback = IncidentDirectory.Fallback(Path.Combine(work, "fallback"), stderr);
            Assert.True(output?.Device is not null && fallback is not null, stderr.ToString());
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(fallback.Path));

            // -o's filesystem as a loop over a file of the frozen filesystem: the incident is not written there.
            var resting = new StorageTopology();
            resting.Loops.Add(Loop(output.Device!, backingFs: "7:1"));
            var stdout = new StringWriter();
            var dir = IncidentWriter.WritePlaced(output, fallback, stall, () => resting, WriteOne, stdout, stderr);
            Assert.NotNull(dir);
            Assert.Equal(fallback.Path, Path.GetDirectoryName(dir));
            Assert.True(File.Exists(Path.Combine(dir, "one.txt")));
            Assert.Contains($"the filesystem of {output.Path} ({output.Device}) is in the incident's chain (through 7:1): the incident goes to {fallback.Path}", stdout.ToString());
            Assert.Contains("is in the incident's chain", stderr.ToString());
            Assert.Empty(Directory.GetDirectories(output.Path));

            // Not resting on it: -o.
            stdout = new StringWriter();
            dir = IncidentWriter.WritePlaced(output, fallback, stall, () => new StorageTopology(), WriteOne, stdout, stderr);
            Assert.Equal(output.Path, Path.GetDirectoryName(dir));
            Assert.Equal("", stdout.ToString());
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }

    private static void WriteOne(string dir, TextWriter messages, CancellationToken cancel) =>
        IncidentWriter.WriteLines(Path.Combine(dir, "one.txt"), ["one"], messages);

    /// <summary>Log rotation: -o renamed away, then SIGHUP's path (the one the signal's handler leads to): -o is made
    /// again with its lock, and the next incident lands in the new one, not in the moved one.</summary>
    [SkippableFact]
    public void After_sighup_the_next_incident_lands_in_a_new_output_directory()
    {
        var stall = FrozenBackingStall();
        var work = Directory.CreateTempSubdirectory("tfx-watch-hup-").FullName;
        try
        {
            var stderr = new StringWriter();
            var path = Path.Combine(work, "incidents");
            using var output = IncidentDirectory.Take(path, stderr);
            Assert.NotNull(output);
            var first = IncidentWriter.WritePlaced(output, null, stall, () => new StorageTopology(), WriteOne, TextWriter.Null, stderr);
            Assert.Equal(path, Path.GetDirectoryName(first));

            Directory.Move(path, path + ".1");
            Assert.Null(IncidentDirectory.Take(path + ".1", new StringWriter())); // the moved one is still locked by this watch
            WatchCommand.Reopen(output, null, stderr);
            Assert.Contains($"SIGHUP: incidents go to {path} again", stderr.ToString());
            Assert.True(File.Exists(Path.Combine(path, WatchCommand.LockFile)));
            using (var moved = IncidentDirectory.Take(path + ".1", new StringWriter())) Assert.NotNull(moved); // its lock was let go
            Assert.Null(IncidentDirectory.Take(path, new StringWriter())); // the new one is held

            var next = IncidentWriter.WritePlaced(output, null, stall, () => new StorageTopology(), WriteOne, TextWriter.Null, stderr);
            Assert.Equal(path, Path.GetDirectoryName(next));
            Assert.True(File.Exists(Path.Combine(next!, "one.txt")));
            Assert.Single(Directory.GetDirectories(path + ".1", "incident-*"));
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }

    [Fact]
    public void A_fallback_directory_that_is_a_symbolic_link_is_refused()
    {
        var work = Directory.CreateTempSubdirectory("tfx-watch-fb-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(work, "elsewhere"));
            File.CreateSymbolicLink(Path.Combine(work, "fallback"), Path.Combine(work, "elsewhere"));
            var stderr = new StringWriter();
            Assert.Null(IncidentDirectory.Fallback(Path.Combine(work, "fallback"), stderr));
            Assert.Contains("symbolic link", stderr.ToString());
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }

    /// <summary>Work that does not end (as a write to a frozen filesystem): the watcher is let go when the time is up, and
    /// the work, once it can go on, finds itself cancelled.</summary>
    [Fact]
    public void Bounded_work_that_does_not_end_lets_the_watcher_go_and_is_cancelled()
    {
        using var release = new ManualResetEventSlim();
        using var ended = new ManualResetEventSlim();
        bool cancelled = false;
        Assert.False(BoundedIo.Run(cancel =>
        {
            release.Wait();
            cancelled = cancel.IsCancellationRequested;
            ended.Set();
            return 1;
        }, TimeSpan.FromMilliseconds(100), out int result));
        Assert.Equal(0, result);
        release.Set();
        Assert.True(ended.Wait(TimeSpan.FromSeconds(30)));
        Assert.True(cancelled);

        Assert.True(BoundedIo.Run(_ => 7, TimeSpan.FromSeconds(30), out result));
        Assert.Equal(7, result);
        Assert.Throws<IOException>(() => BoundedIo.Run<int>(_ => throw new IOException("x"), TimeSpan.FromSeconds(30), out _));
    }

    /// <summary>Work that ends after the watcher was let go, with a result it made without looking at the token (a lock
    /// taken just as the time ran out): the result is handed to be undone, not leaked (the next SIGHUP would find its
    /// own directory locked).</summary>
    [Fact]
    public void Bounded_work_that_ends_late_hands_its_result_to_be_undone()
    {
        using var release = new ManualResetEventSlim();
        using var undone = new ManualResetEventSlim();
        var late = "";
        Assert.False(BoundedIo.Run(_ =>
        {
            release.Wait();
            return "lock";
        }, TimeSpan.FromMilliseconds(100), out var result, abandoned: r => { late = r; undone.Set(); }));
        Assert.Null(result);
        release.Set();
        Assert.True(undone.Wait(TimeSpan.FromSeconds(30)), "the late result was not handed over");
        Assert.Equal("lock", late);

        bool handed = false;
        Assert.True(BoundedIo.Run(_ => "in time", TimeSpan.FromSeconds(30), out result, abandoned: _ => handed = true));
        Assert.Equal("in time", result);
        Assert.False(handed);
    }

    /// <summary>An incident written again (its chain grew) when the window no longer holds kernel log lines: the first
    /// writing's dmesg.txt goes, or the incident's directory would read back the new trace with the old kernel log.</summary>
    [Fact]
    public void A_rewrite_without_kernel_log_lines_leaves_no_kernel_log_of_the_first_writing()
    {
        var dir = Directory.CreateTempSubdirectory("tfx-watch-rewrite-").FullName;
        try
        {
            var log = Path.Combine(dir, IncidentWriter.KernelLogFile);
            Assert.True(IncidentWriter.WriteLinesOrNone(log, ["[  100.000000] loop0: detected capacity change"], TextWriter.Null));
            Assert.Equal("[  100.000000] loop0: detected capacity change\n", File.ReadAllText(log));
            Assert.False(IncidentWriter.WriteLinesOrNone(log, [], TextWriter.Null));
            Assert.False(File.Exists(log));
            Assert.False(IncidentWriter.WriteLinesOrNone(log, [], TextWriter.Null)); // none before either: nothing to do
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
