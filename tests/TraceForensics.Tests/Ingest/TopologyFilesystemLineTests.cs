using TraceForensics.Capture;
using TraceForensics.Events.Model;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Ingest;

/// <summary>The topology lines of version 2 (README, "The topology file"): <c>fs</c> (a mounted filesystem's device,
/// type, block size and bdi) and <c>btrfs</c> (fsid, bdi, anonymous device, devices); written by the capture, read back
/// as events; malformed ones are warnings with their line.</summary>
public class TopologyFilesystemLineTests
{
    /// <summary>Shaped like the topology of a nested btrfs stall capture (an outer and an inner btrfs), with an ext4
    /// of 1 KiB blocks, a partition on a disk's bdi, and the malformed lines after them.</summary>
    internal const string Sample =
        "# tracefx topology v2\n" +
        "fs 254:0 type=ext4 blocksize=4096 bdi=254:0\n" +
        "fs 0:39 type=btrfs blocksize=4096 bdi=btrfs-5\n" +
        "fs 0:41 type=btrfs blocksize=4096 bdi=btrfs-6\n" +
        "btrfs 0317ab76-062d-4457-91f2-4a12f620796a bdi=btrfs-5 anon=0:39 devices=7:0\n" +
        "btrfs e81876ad-3ff4-438f-8224-1fb121730749 bdi=btrfs-6 anon=0:41 devices=7:1\n" +
        "fs 7:2 type=ext4 blocksize=1024 bdi=7:2\n" +
        "fs 8:1 type=xfs bdi=8:0\n" +
        "btrfs 11111111-2222-3333-4444-555555555555 devices=7:6,7:7\n" +
        "fs 7:3 blocksize=4096\n" +
        "fs 7:4 type=xfs blocksize=big\n" +
        "btrfs not-a-uuid devices=7:5\n" +
        "btrfs 0317ab76-062d-4457-91f2-4a12f620796b anon=zero devices=7:5\n" +
        "btrfs 0317ab76-062d-4457-91f2-4a12f620796c devices=7:5,x\n" +
        "btrfs 0317ab76-062d-4457-91f2-4a12f620796d bdi=btrfs-9\n";

    [Fact]
    public void Fs_and_btrfs_lines_become_events_with_their_facts()
    {
        var (session, events) = Run.Text(Sample);
        var fs = events.Where(e => e.Kind == EventKind.Filesystem).ToList();
        Assert.Equal(["254:0", "0:39", "0:41", "7:2", "8:1"], fs.Select(e => e.Payload.Dev.ToString()));
        var btrfsFs = fs[1].Payload.Topology!;
        Assert.Equal(("btrfs", 4096L), (btrfsFs.FsType, btrfsFs.BlockSize!.Value));
        Assert.Equal(DeviceNumber.Named("btrfs-5"), btrfsFs.Bdi); // a name, as the writeback events spell it
        Assert.Equal(new DeviceNumber(254, 0), fs[0].Payload.Topology!.Bdi); // a disk's: numbered
        Assert.Equal(1024L, fs[3].Payload.Topology!.BlockSize);
        Assert.Null(fs[4].Payload.Topology!.BlockSize);
        Assert.Equal(3, fs[1].Source.Line);

        var btrfs = events.Where(e => e.Kind == EventKind.BtrfsFilesystem).ToList();
        Assert.Equal(3, btrfs.Count);
        Assert.Equal(new DeviceNumber(0, 39), btrfs[0].Payload.Dev);
        Assert.Equal(DeviceNumber.Named("0317ab76-062d-4457-91f2-4a12f620796a"), btrfs[0].Payload.Topology!.Fsid);
        Assert.Equal(DeviceNumber.Named("btrfs-5"), btrfs[0].Payload.Topology!.Bdi);
        Assert.Equal([new DeviceNumber(7, 0)], btrfs[0].Payload.Topology!.Devices.ToArray());
        Assert.Null(btrfs[2].Payload.Dev); // not mounted: no anonymous device
        Assert.Null(btrfs[2].Payload.Topology!.Bdi);
        Assert.Equal([new DeviceNumber(7, 6), new DeviceNumber(7, 7)], btrfs[2].Payload.Topology!.Devices.ToArray());
        Assert.All(events, e => Assert.Equal(0, e.TimestampNs));

        var diagnostics = session.Tables.Diagnostics.Kept;
        var bad = diagnostics.Where(d => d.Code == "unrecognized-line").ToList();
        Assert.Equal([10L, 11L, 12L, 13L, 14L, 15L], bad.Select(d => d.Line));
        Assert.Contains("no type=", bad[0].Message);
        Assert.Contains("blocksize=", bad[1].Message);
        Assert.Contains("fsid", bad[2].Message);
        Assert.Contains("anon=", bad[3].Message);
        Assert.Contains("devices=", bad[4].Message);
        Assert.Contains("no devices=", bad[5].Message);
        Assert.All(bad, d => Assert.Equal(TraceForensics.Ingest.Diagnostics.DiagnosticSeverity.Warning, d.Severity));
        Assert.Equal(bad.Count, diagnostics.Count);
    }

    [Fact]
    public void A_version_1_file_with_the_new_kinds_reads_them_without_a_word()
    {
        // The ext4 and btrfs captures of sample-traces were written with the kinds under a v1 line.
        var (session, events) = Run.Text("# tracefx topology v1\nfs 7:0 type=ext4 blocksize=4096 bdi=7:0\nbtrfs 0317ab76-062d-4457-91f2-4a12f620796a bdi=btrfs-5 anon=0:39 devices=7:0\n");
        Assert.Empty(session.Tables.Diagnostics.Kept);
        Assert.Equal([EventKind.Filesystem, EventKind.BtrfsFilesystem], events.Select(e => e.Kind));
    }

    [Fact]
    public void The_writer_escapes_what_could_break_a_field_and_the_reader_undoes_it()
    {
        var topology = new StorageTopology();
        topology.Filesystems.Add(new StorageTopology.Filesystem("0:52", "fuse.my fs", 4096, "0:52-fuse\tblk"));
        topology.Filesystems.Add(new StorageTopology.Filesystem("7:2", "ext4", null, null));
        topology.BtrfsFilesystems.Add(new StorageTopology.Btrfs("0317ab76-062d-4457-91f2-4a12f620796a", "btrfs-1", "0:39", ["7:4", "7:5"]));
        topology.BtrfsFilesystems.Add(new StorageTopology.Btrfs("e81876ad-3ff4-438f-8224-1fb121730749", null, null, []));
        var text = topology.Format();
        Assert.Equal(
            "# tracefx topology v4\n" +
            "fs 0:52 type=fuse.my\\040fs blocksize=4096 bdi=0:52-fuse\\011blk\n" +
            "fs 7:2 type=ext4\n" +
            "btrfs 0317ab76-062d-4457-91f2-4a12f620796a bdi=btrfs-1 anon=0:39 devices=7:4,7:5\n" +
            "btrfs e81876ad-3ff4-438f-8224-1fb121730749 devices=\n", text);

        var (session, events) = Run.Text(text);
        Assert.Empty(session.Tables.Diagnostics.Kept);
        var fuse = events.First(e => e.Kind == EventKind.Filesystem).Payload.Topology!;
        Assert.Equal("fuse.my fs", fuse.FsType);
        Assert.Equal(DeviceNumber.Named("0:52-fuse\tblk"), fuse.Bdi);
        var unmounted = events.Last(e => e.Kind == EventKind.BtrfsFilesystem);
        Assert.Null(unmounted.Payload.Dev);
        Assert.Empty(unmounted.Payload.Topology!.Devices);
    }

    [Fact]
    public void The_dev_captures_topologies_have_their_filesystems_and_btrfs_lines()
    {
        var (session, events) = Run.Files(Path.Combine(TestPaths.SampleTraces, "btrfs-frozen-backing-stall.ftrace.txt.gz.topology.txt"));
        Assert.Empty(session.Tables.Diagnostics.Kept);
        var btrfs = events.Where(e => e.Kind == EventKind.BtrfsFilesystem).ToList();
        Assert.Equal(2, btrfs.Count); // the outer and the inner
        var loop = events.Single(e => e.Kind == EventKind.LoopBacking && e.Payload.Topology!.BackingFile!.EndsWith("/inner.img", StringComparison.Ordinal));
        // The inner loop's backing file lives on the outer btrfs: fs= is its mount's device, the one its btrfs line names.
        Assert.Contains(btrfs, b => b.Payload.Dev == loop.Payload.Topology!.BackingFsDev && b.Payload.Topology!.Devices.Length == 1);
        session.Dispose();
    }
}
