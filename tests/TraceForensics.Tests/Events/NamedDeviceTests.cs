using TraceForensics.Events.Model;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Events;

/// <summary>Devices the kernel names by a string: btrfs's writeback events name its bdi (<c>bdi btrfs-10:</c>), its own
/// events its fsid. Lines copied from the btrfs captures in sample-traces (btrfs-memcg, btrfs-fsync).</summary>
public class NamedDeviceTests
{
    private static TraceEvent One(string line, EventKind kind) => Run.OneEvent(line, kind);

    [Theory]
    [InlineData("         python3-10422   [001] d..1.   794.412326: writeback_dirty_folio: bdi btrfs-10: ino=1 index=7432", EventKind.FolioDirtied, 1UL, 7432L)]
    [InlineData("         python3-10422   [001] .....   794.582460: folio_wait_writeback: bdi btrfs-10: ino=257 index=7766", EventKind.WritebackWait, 257UL, 7766L)]
    public void A_writeback_page_on_a_named_bdi_is_named_by_it(string line, EventKind kind, ulong ino, long index)
    {
        var e = One(line, kind);
        Assert.Equal(DeviceNumber.Named("btrfs-10"), e.Payload.Dev);
        Assert.True(e.Payload.Dev!.Value.IsNamed);
        Assert.Equal("btrfs-10", e.Payload.Dev.ToString());
        Assert.Equal((ino, index), (e.Payload.Ino!.Value, e.Payload.Index!.Value));
    }

    [Fact]
    public void A_numbered_bdi_stays_numbered()
    {
        var e = One("              dd-10128   [001] .....   788.541667: folio_wait_writeback: bdi 7:0: ino=12 index=0", EventKind.WritebackWait); // ext4-fsync
        Assert.Equal(new DeviceNumber(7, 0), e.Payload.Dev);
        Assert.False(e.Payload.Dev!.Value.IsNamed);
    }

    [Fact]
    public void Writeback_work_and_inode_events_name_the_bdi_too()
    {
        var work = One("    kworker/u8:2-35      [001] ...1.   794.500390: writeback_start: bdi btrfs-10: sb_dev 0:0 nr_pages=92954 sync_mode=0 kupdate=0 range_cyclic=1 background=0 reason=vmscan cgroup_ino=1",
                       EventKind.WritebackWork);
        Assert.Equal(DeviceNumber.Named("btrfs-10"), work.Payload.Dev);
        var inode = One("    kworker/u8:6-9451    [001] .....   769.776366: writeback_single_inode_start: bdi btrfs-7: ino=1 state=I_DIRTY_PAGES|I_SYNC|I_SYNC_QUEUED dirtied_when=4295084611 age=0 index=0 to_write=9223372036854775807 wrote=0 cgroup_ino=1",
                        EventKind.WritebackInode); // btrfs-frozen-backing-stall
        Assert.Equal(DeviceNumber.Named("btrfs-7"), inode.Payload.Dev);
        Assert.Null(inode.Payload.Index); // writeback_index, not a page
    }

    [Fact]
    public void An_unknown_bdi_names_nothing()
    {
        // mm/backing-dev.c bdi_dev_name(): "(unknown)" for a bdi without a device.
        var (session, events) = Run.Text("              dd-1 [000] .....   1.000000: folio_wait_writeback: bdi (unknown): ino=5 index=0\n");
        Assert.Null(Assert.Single(events).Payload.Dev);
        Assert.Contains(session.Tables.Diagnostics.Kept, d => d.Code == "payload-mismatch");
    }

    [Fact]
    public void Btrfs_events_name_their_filesystem_by_fsid()
    {
        var write = One("    kworker/u8:2-35      [001] .....   794.500464: extent_writepage: d35deade-b858-4610-add8-a40444b30954: root=5(FS_TREE) ino=257 page_index=1 nr_to_write=13311 pages_skipped=0 range_start=0 range_end=9223372036854775807 for_kupdate=0 range_cyclic=1 writeback_index=0",
                        EventKind.WritebackStart);
        Assert.Equal(DeviceNumber.Named("d35deade-b858-4610-add8-a40444b30954"), write.Payload.Dev);
        Assert.Equal((257UL, 1L), (write.Payload.Ino!.Value, write.Payload.Index!.Value));

        var add = One("              dd-10336   [000] .....   792.564896: btrfs_ordered_extent_add: 27ac4563-1c22-4ab9-8362-7091986f78a0: root=5(FS_TREE) ino=257 file_offset=0 start=63963136 len=16777216 disk_len=16777216 truncated_len=18446744073709551615 bytes_left=16777216 flags=REGULAR compress_type=0 refs=1",
                      EventKind.OrderedExtent);
        Assert.Equal(DeviceNumber.Named("27ac4563-1c22-4ab9-8362-7091986f78a0"), add.Payload.Dev);
        Assert.Equal((257UL, 0L, 16777216L >> 9), (add.Payload.Ino!.Value, add.Payload.Index!.Value, add.Payload.Sectors!.Value)); // file_offset=, not start= (a disk byte)

        // btrfs_finish_ordered_extent's start= is the file offset.
        var finish = One("    kworker/u8:0-12      [001] .....   794.506033: btrfs_finish_ordered_extent: d35deade-b858-4610-add8-a40444b30954: root=5(FS_TREE) ino=257 start=4190208 len=2088960 uptodate=1",
                         EventKind.OrderedExtent);
        Assert.Equal((257UL, 4190208L >> 12), (finish.Payload.Ino!.Value, finish.Payload.Index!.Value));
    }

    [Fact]
    public void A_btrfs_payload_without_an_fsid_names_no_device()
    {
        var (_, events) = Run.Text("    kworker/u8:2-35      [001] .....   794.500464: extent_writepage: D35DEADE-B858-4610-ADD8-A40444B30954: root=5(FS_TREE) ino=257 page_index=1\n");
        Assert.Null(Assert.Single(events).Payload.Dev); // %pU prints lowercase: this is not one
    }

    [Fact]
    public void Named_devices_print_as_their_name_and_sort_after_numbered_ones()
    {
        var named = DeviceNumber.Named("btrfs-1");
        Assert.Equal("btrfs-1", named.ToString());
        Assert.Equal("7:2", new DeviceNumber(7, 2).ToString());
        Assert.False(named.IsLoop);
        Assert.True(new DeviceNumber(7, 2).IsLoop);
        Assert.NotEqual(named, DeviceNumber.Named("btrfs-2"));
        Assert.Equal(named, DeviceNumber.Named(new string("btrfs-1".ToCharArray()))); // by value, not reference
        Assert.NotEqual(new DeviceNumber(DeviceNumber.NoNumber, DeviceNumber.NoNumber), named);
        var sorted = new[] { named, new DeviceNumber(254, 0), DeviceNumber.Named("a"), new DeviceNumber(7, 10), new DeviceNumber(7, 2) }.Order().ToList();
        Assert.Equal(["7:2", "7:10", "254:0", "a", "btrfs-1"], sorted.Select(d => d.ToString()));
    }
}
