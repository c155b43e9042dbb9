using TraceForensics.Capture;
using TraceForensics.Events.Model;
using TraceForensics.Replay;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Live;

/// <summary>Records on ext4 and btrfs (root, tracefs, e2fsprogs, btrfs-progs, loop devices; skipped elsewhere with the
/// reason): the topology's <c>fs</c> and <c>btrfs</c> lines say what sysfs and mountinfo say, btrfs's writeback events
/// decode by their bdi's name, and the replay names the filesystem and block device under it. Everything made is undone.</summary>
[Collection("live kernel")]
public class RecordFilesystemTopologyTests
{
    private static void RequireLiveKernel()
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "recording needs root");
        Skip.If(Tracefs.Find(out var why) is null, why ?? "no tracefs");
        foreach (var tool in new[] { "mkfs.ext4", "mkfs.btrfs", "btrfs", "losetup" })
            Skip.IfNot(new[] { "/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/" }.Any(d => File.Exists(d + tool)), $"{tool} is not installed");
    }

    [SkippableFact]
    public void Records_ext4_and_btrfs_filesystems_with_block_size_bdi_fsid_and_devices()
    {
        RequireLiveKernel();
        var work = Directory.CreateTempSubdirectory("tfx-fs-").FullName;
        try
        {
            using var ext4 = new LoopXfs(Path.Combine(work, "ext4.img"), "256M", Path.Combine(work, "ext4"), "ext4");
            using var btrfs = new LoopXfs(Path.Combine(work, "btrfs.img"), "256M", Path.Combine(work, "btr fs"), "btrfs"); // a space: \040
            var ext4Dev = LoopXfs.DeviceNumberOf(ext4.Device!);
            var btrfsDev = LoopXfs.DeviceNumberOf(btrfs.Device!);
            // What the kernel says, read here independently of StorageTopology: the fsid (the filesystem's UUID), its bdi
            // (the /sys/fs/btrfs/FSID/bdi link) and the device of the mount (mountinfo's field 3).
            var fsid = LoopXfs.Sh("blkid", "-s", "UUID", "-o", "value", btrfs.Device!).Trim();
            var bdi = Path.GetFileName(new FileInfo($"/sys/fs/btrfs/{fsid}/bdi").LinkTarget!);
            var anon = File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')).Single(f => f[4] == btrfs.Mount.Replace(" ", "\\040"))[2];
            Assert.StartsWith("0:", anon);
            Assert.StartsWith("btrfs-", bdi);
            // A loop over a file on the btrfs: its fs= is the mount's device, not the top subvolume's own st_dev.
            LoopXfs.Sh("truncate", "-s", "64M", Path.Combine(btrfs.Mount, "inner.img"));
            var innerLoop = LoopXfs.Sh("losetup", "-f", "--show", Path.Combine(btrfs.Mount, "inner.img")).Trim();
            try
            {
                var trace = Path.Combine(work, "t.txt.gz");
                var o = new StringWriter();
                var e = new StringWriter();
                int exit = TraceForensics.Cli.Commands.RecordCommand.Run(trace, null, 8192,
                    ["dd", "if=/dev/zero", $"of={btrfs.Mount}/f", "bs=1M", "count=4", "conv=fsync", "status=none"], o, e);
                Assert.True(exit == 0, e.ToString());
                using (var f = File.OpenRead(trace)) Assert.True(f.ReadByte() == 0x1f && f.ReadByte() == 0x8b, "-o FILE.gz is not gzip");

                var topologyPath = trace + ".topology.txt";
                var lines = File.ReadAllLines(topologyPath);
                string All() => string.Join("\n", lines);
                Assert.Equal("# tracefx topology v4", lines[0]);
                Assert.True(lines.Contains($"fs {ext4Dev} type=ext4 blocksize=4096 bdi={ext4Dev}"), All());
                Assert.True(lines.Contains($"fs {anon} type=btrfs blocksize=4096 bdi={bdi}"), All());
                Assert.True(lines.Contains($"btrfs {fsid} bdi={bdi} anon={anon} devices={btrfsDev}"), All());
                Assert.Contains(lines, l => l.StartsWith($"loop {LoopXfs.DeviceNumberOf(innerLoop)} ", StringComparison.Ordinal) && l.Contains($" fs={anon} "));
                Assert.Single(lines, l => l.StartsWith($"fs {anon} ", StringComparison.Ordinal)); // once, however often mounted

                // The trace's btrfs writeback names its bdi; read with the topology, the replay knows which filesystem and device.
                var (session, events) = Run.Files(trace, topologyPath);
                Assert.DoesNotContain(session.Tables.Diagnostics.Kept, d => d.Code == "payload-mismatch" && d.Message.Contains("writeback"));
                Assert.Contains(events, x => x.Kind is EventKind.FolioDirtied or EventKind.WritebackWait && x.Payload.Dev == DeviceNumber.Named(bdi));
                var engine = new ReplayEngine(session.Tables.Stacks);
                foreach (var x in events) engine.Apply(x);
                var t = engine.State.Topology;
                Assert.Equal(anon, t.FilesystemNamed(DeviceNumber.Named(bdi)).ToString());
                Assert.Equal(anon, t.FilesystemNamed(DeviceNumber.Named(fsid)).ToString());
                Assert.Equal([btrfsDev], t.BlockDevicesUnder(DeviceNumber.Named(bdi)));
                Assert.Equal(4096L, t.BlockSizeOf(ext4Dev));
                session.Dispose();
            }
            finally
            {
                // Before the btrfs under it is unmounted.
                try { LoopXfs.Sh("losetup", "-d", innerLoop); } catch (InvalidOperationException) { }
            }
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }
}
