using TraceForensics.Analysis.Graph;
using TraceForensics.Events.Model;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Analysis;

/// <summary>builder-submits-its-bio on btrfs: a page of the filesystem's anonymous device goes out in a bio on one of its
/// member devices (fs/btrfs/bio.c btrfs_submit_bio -> btrfs_map_block, the chunk map over fs_devices), so only the
/// builder's next write bio on a member device, as the topology lists them, is its submission.</summary>
public class BtrfsMemberDeviceTests
{
    private const string Fsid = "5f1a8073-7f4d-46ab-aa6b-bce9b3529b0b";
    private const string Topology =
        "# tracefx topology v1\n" +
        "fs 0:39 type=btrfs blocksize=4096 bdi=btrfs-7\n" +
        $"btrfs {Fsid} bdi=btrfs-7 anon=0:39 devices=7:0\n";

    private static string Trace(string bioDev) =>
        $"              dd-500     [001] .....   100.000000: extent_writepage: {Fsid}: root=5(FS_TREE) ino=257 page_index=0 nr_to_write=1024 pages_skipped=0 range_start=0 range_end=9223372036854775807 for_kupdate=0 range_cyclic=0 writeback_index=0\n" +
        $"              dd-500     [001] .....   100.000100: block_bio_queue: {bioDev} WS 26624 + 8 [dd]\n" +
        "         fsyncer-600     [000] .....   100.000200: folio_wait_writeback: bdi btrfs-7: ino=257 index=0\n" +
        "         fsyncer-600     [000] d..2.   100.000210: sched_switch: prev_comm=fsyncer prev_pid=600 prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120\n" +
        "            bash-3954    [000] .....   110.000000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n";

    private static WaitEdge InBio(string bioDev)
    {
        var findings = Analyze.Files(Run.TempFile(Trace(bioDev)), Run.TempFile(Topology));
        var f = Assert.Single(findings, f => f.Tasks.Any(t => t.Pid == 600));
        return Assert.Single(f.Chain, e => e.Relation == Relation.InBio);
    }

    [Fact]
    public void The_builders_next_write_bio_on_a_member_device_is_its_submission()
    {
        var inBio = InBio("7,0");
        Assert.Equal(new BioNode(new DeviceNumber(7, 0), 26624UL, 500), inBio.To);
    }

    [Fact]
    public void A_write_bio_on_a_device_that_is_not_the_filesystems_submits_nothing()
    {
        // dd's write to another disk (8:0) is not its btrfs bio: the bio stays unsubmitted, built by dd.
        var inBio = InBio("8,0");
        Assert.Equal(new DeviceNumber(0, 39), Assert.IsType<BioNode>(inBio.To).Dev);
    }
}
