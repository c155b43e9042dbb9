using TraceForensics.Events.Model;
using TraceForensics.Replay;
using TraceForensics.Replay.Pages;
using TraceForensics.Replay.Tasks;
using TraceForensics.Tests.Ingest;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Replay;

/// <summary>What the replay asks the topology about filesystems: the filesystem a named device (a bdi name, a btrfs
/// fsid) stands for, the block devices under it, a filesystem's block size; and the page identity this gives a btrfs
/// capture: the page a writeback event names by its bdi is the page the filemap events name by the filesystem's device.</summary>
public class TopologyFilesystemQueryTests
{
    private static ReplayEngine Replay(string topology)
    {
        var (session, events) = Run.Text(topology);
        var engine = new ReplayEngine(session.Tables.Stacks);
        foreach (var e in events) engine.Apply(e);
        return engine;
    }

    [Fact]
    public void A_bdi_name_or_fsid_names_its_filesystem_and_the_block_devices_under_it()
    {
        var t = Replay(TopologyFilesystemLineTests.Sample).State.Topology;
        Assert.True(t.IsKnown);
        Assert.Equal(new DeviceNumber(0, 39), t.FilesystemNamed(DeviceNumber.Named("btrfs-5")));
        Assert.Equal(new DeviceNumber(0, 41), t.FilesystemNamed(DeviceNumber.Named("e81876ad-3ff4-438f-8224-1fb121730749")));
        Assert.Null(t.FilesystemNamed(DeviceNumber.Named("btrfs-99")));
        Assert.Null(t.FilesystemNamed(new DeviceNumber(8, 0))); // a disk's bdi: shared by its partitions, never mapped
        Assert.Null(t.FilesystemNamed(DeviceNumber.Named("11111111-2222-3333-4444-555555555555"))); // not mounted

        Assert.Equal([new DeviceNumber(7, 1)], t.BlockDevicesUnder(DeviceNumber.Named("btrfs-6")));
        Assert.Equal([new DeviceNumber(7, 1)], t.BlockDevicesUnder(new DeviceNumber(0, 41)));
        Assert.Equal([new DeviceNumber(7, 0)], t.BlockDevicesUnder(DeviceNumber.Named("0317ab76-062d-4457-91f2-4a12f620796a")));
        Assert.Equal([new DeviceNumber(7, 6), new DeviceNumber(7, 7)], t.BlockDevicesUnder(DeviceNumber.Named("11111111-2222-3333-4444-555555555555")));
        Assert.Equal([new DeviceNumber(7, 2)], t.BlockDevicesUnder(new DeviceNumber(7, 2))); // a filesystem on a block device
        Assert.Empty(t.BlockDevicesUnder(new DeviceNumber(0, 99)));

        Assert.Equal(1024L, t.BlockSizeOf(new DeviceNumber(7, 2)));
        Assert.Equal(4096L, t.BlockSizeOf(DeviceNumber.Named("btrfs-5")));
        Assert.Null(t.BlockSizeOf(new DeviceNumber(8, 1))); // the line did not say
        Assert.Null(t.BlockSizeOf(new DeviceNumber(7, 9)));
        Assert.Equal(5L, t.BtrfsOf(new DeviceNumber(0, 39))!.Evidence.Line); // the line that says so
        Assert.Equal(5L, t.BtrfsOf(DeviceNumber.Named("btrfs-5"))!.Evidence.Line);

        var clone = Replay(TopologyFilesystemLineTests.Sample).State.Clone().Topology;
        Assert.Equal([new DeviceNumber(7, 1)], clone.BlockDevicesUnder(DeviceNumber.Named("btrfs-6")));
    }

    [Fact]
    public void Two_filesystems_claiming_one_bdi_name_give_no_answer()
    {
        var t = Replay("# tracefx topology v2\nfs 0:39 type=btrfs bdi=btrfs-5\nfs 0:40 type=btrfs bdi=btrfs-5\n").State.Topology;
        Assert.Null(t.FilesystemNamed(DeviceNumber.Named("btrfs-5")));
        Assert.Null(t.BlockSizeOf(DeviceNumber.Named("btrfs-5")));
    }

    /// <summary>The btrfs stall of sample-traces: dd waits in folio_wait_writeback on a page the event names by
    /// <c>bdi btrfs-8</c>; with the capture's topology that page is the page the filemap events name by the inner
    /// filesystem's device (0:41), the one extent_writepage put under writeback, and the topology names the inner loop
    /// (7:1) as the block device under it. Without the topology it stays under its bdi's name.</summary>
    [Fact]
    public void A_btrfs_page_waited_on_is_the_page_the_filemap_events_name()
    {
        var trace = Path.Combine(TestPaths.SampleTraces, "btrfs-frozen-backing-stall.ftrace.txt.gz");
        var (withTopology, filemapDevs, diagnostics) = WaitedPages(trace, trace + ".topology.txt");
        Assert.Equal(0, diagnostics);
        Assert.NotEmpty(withTopology);
        var waited = withTopology[0];
        Assert.Equal(new DeviceNumber(0, 41), waited.Dev); // the inner btrfs, as mountinfo and the filemap events say
        Assert.Contains((waited.Dev, waited.Ino), filemapDevs);

        var (withoutTopology, _, _) = WaitedPages(trace);
        Assert.Equal(DeviceNumber.Named("btrfs-8"), withoutTopology[0].Dev); // the inner btrfs's bdi, as its fs line says
        Assert.Equal((waited.Ino, waited.Index), (withoutTopology[0].Ino, withoutTopology[0].Index));
    }

    [Fact]
    public void The_btrfs_stall_s_inner_filesystem_is_on_the_inner_loop()
    {
        var trace = Path.Combine(TestPaths.SampleTraces, "btrfs-frozen-backing-stall.ftrace.txt.gz");
        var (session, events) = Run.Files(trace + ".topology.txt");
        var engine = new ReplayEngine(session.Tables.Stacks);
        foreach (var e in events) engine.Apply(e);
        var t = engine.State.Topology;
        var inner = t.BackingFsOf(new DeviceNumber(7, 1));
        Assert.NotNull(inner); // loop 7:1's file is on the outer btrfs
        Assert.Equal([new DeviceNumber(7, 0)], t.BlockDevicesUnder(inner.BackingFs));
        Assert.Equal([new DeviceNumber(7, 1)], t.BlockDevicesUnder(DeviceNumber.Named("btrfs-8")));
        Assert.Equal(new DeviceNumber(0, 41), t.FilesystemNamed(DeviceNumber.Named("3d9ff719-001c-4aac-8bcf-56c0da9079fa")));
        session.Dispose();
    }

    /// <summary>The pages dd's writeback waits name, in order, after the replay's naming; the (dev, ino) of every page
    /// the filemap events add; the input's diagnostics.</summary>
    private static (List<PageKey> Waited, HashSet<(DeviceNumber, ulong)> Filemap, int Diagnostics) WaitedPages(params string[] inputs)
    {
        var (session, events) = Run.Files(inputs);
        var engine = new ReplayEngine(session.Tables.Stacks);
        var waited = new List<PageKey>();
        var filemap = new HashSet<(DeviceNumber, ulong)>();
        foreach (var e in events)
        {
            engine.Apply(e);
            if (e.Kind == EventKind.WritebackWait && e.Comm == "dd" && engine.State.Tasks.Get(e.Pid)?.Wait is { Kind: WaitKind.PageWriteback, Page: { } page })
                waited.Add(page);
            if (e.Kind == EventKind.PageCacheAdd && e.Payload is { Dev: { } dev, Ino: { } ino }) filemap.Add((dev, ino));
        }
        int diagnostics = session.Tables.Diagnostics.Kept.Count;
        session.Dispose();
        return (waited, filemap, diagnostics);
    }
}
