using TraceForensics.Events.Model;
using TraceForensics.Ingest.Formats;
using TraceForensics.Replay;
using TraceForensics.Replay.Evidence;
using TraceForensics.Replay.Pages;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Replay;

/// <summary>Rule inode-writeback-names-page-device: a writeback-start probe that names inode and index but no device is
/// placed on the device of the inode its task is writing back, and only then.</summary>
public class InodeWritebackDeviceTests
{
    private const string Flusher = "    kworker/u8:9-47190   [001] .....   ";
    private const string Other = "    kworker/u8:7-47195   [000] .....   ";

    private static string InodeStart(string who, string ts, ulong ino) =>
        $"{who}{ts}: writeback_single_inode_start: bdi 8:16: ino={ino} state=I_DIRTY_PAGES|I_SYNC dirtied_when=4294984846 age=0 index=0 to_write=1024 wrote=0 cgroup_ino=1";
    private static string InodeEnd(string who, string ts, ulong ino) =>
        $"{who}{ts}: writeback_single_inode: bdi 8:16: ino={ino} state=I_SYNC dirtied_when=4294984846 age=0 index=0 to_write=1024 wrote=1 cgroup_ino=1";
    private const string Fsync = "              dd-47300   [000] .....   ";
    private static string Ext4Writepages(string who, string ts, ulong ino) =>
        $"{who}{ts}: ext4_writepages: dev 8,16 ino {ino} nr_to_write 9223372036854775807 pages_skipped 0 range_start 0 range_end 9223372036854775807 sync_mode 1 for_kupdate 0 range_cyclic 0 writeback_index 0";
    private static string Ext4WritepagesResult(string who, string ts, ulong ino) =>
        $"{who}{ts}: ext4_writepages_result: dev 8,16 ino {ino} ret 0 pages_written 1 pages_skipped 0 sync_mode 1 writeback_index 1";
    private static string StartWb(string who, string ts, ulong ino, long index) =>
        $"{who}{ts}: folio_start_wb: (__folio_start_writeback+0x0/0x2c0) folio=0x{0xffffea0004a1b000UL + (ulong)index * 0x40:x} index={index} ino={ino}";

    private static ReplayState Replay(params string[] lines)
    {
        var (session, events) = Run.Text(string.Join("\n", lines) + "\n", TraceFormat.Ftrace);
        using (session)
        {
            var engine = new ReplayEngine(session.Tables.Stacks);
            foreach (var e in events) engine.Apply(e);
            return engine.State;
        }
    }

    private static PageKey Page(ulong ino, long index) => new(new DeviceNumber(8, 16), ino, index);

    [Fact]
    public void A_probe_without_dev_in_the_writeback_of_its_inode_is_that_inodes_page_in_the_flushers_bio()
    {
        var s = Replay(InodeStart(Flusher, "338.900000", 131), StartWb(Flusher, "338.900010", 131, 100));
        var page = s.Pages.Get(Page(131, 100));
        Assert.NotNull(page);
        Assert.True(page.UnderWriteback);
        Assert.Equal(InferenceRules.InodeWritebackNamesPageDevice, page.WritebackDeviceFrom?.Rule);
        Assert.Equal(1, page.WritebackDeviceFrom?.Line.Line); // the writeback_single_inode_start line
        var bio = Assert.IsType<TraceForensics.Replay.Bios.IoendRecord>(page.Ioend);
        Assert.False(bio.SectorKnown);
        Assert.Equal(47190, bio.BuilderPid);
    }

    [Fact]
    public void In_fsync_the_ext4_writepages_of_the_inode_names_the_device_until_its_result()
    {
        // dd's fsync: file_write_and_wait_range -> do_writepages -> ext4_writepages, no writeback_single_inode.
        var s = Replay(Ext4Writepages(Fsync, "338.900000", 131), StartWb(Fsync, "338.900010", 131, 0),
                       Ext4WritepagesResult(Fsync, "338.900020", 131), StartWb(Fsync, "338.900030", 131, 1));
        var page = s.Pages.Get(Page(131, 0));
        Assert.NotNull(page);
        Assert.Equal(InferenceRules.InodeWritebackNamesPageDevice, page.WritebackDeviceFrom?.Rule);
        Assert.Equal(47300, page.Ioend?.BuilderPid);
        Assert.Null(s.Pages.Get(Page(131, 1))); // after ext4_writepages_result: no context
    }

    [Theory]
    [InlineData(132L, false, false)] // another inode than the one being written back
    [InlineData(131L, true, false)]  // after writeback_single_inode: the inode's writeback is over
    [InlineData(131L, false, true)]  // another task's writeback context
    public void Without_its_task_writing_back_that_inode_a_probe_without_dev_names_no_page(long ino, bool ended, bool otherTask)
    {
        var lines = new List<string> { InodeStart(Flusher, "338.900000", 131) };
        if (ended) lines.Add(InodeEnd(Flusher, "338.900005", 131));
        lines.Add(StartWb(otherTask ? Other : Flusher, "338.900010", (ulong)ino, 100));
        var s = Replay([.. lines]);
        Assert.Empty(s.Pages.Live);
    }

    [Fact]
    public void A_page_an_earlier_event_bound_keeps_that_device_and_cites_no_rule()
    {
        // mm_filemap_add_to_page_cache names (dev, ino, index): the probe resolves by it, not by the writeback context.
        var s = Replay(
            $"{Flusher}338.899990: mm_filemap_add_to_page_cache: dev 8:16 ino 83 pfn=0x12a6c0 ofs=409600 order=0",
            InodeStart(Flusher, "338.900000", 131), StartWb(Flusher, "338.900010", 131, 100));
        var page = s.Pages.Get(Page(131, 100));
        Assert.NotNull(page);
        Assert.True(page.UnderWriteback);
        Assert.Null(page.WritebackDeviceFrom);
    }
}
