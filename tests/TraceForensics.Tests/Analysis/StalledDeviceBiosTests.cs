using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Events.Model;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Analysis;

/// <summary>Rule writeback-in-stalled-device-bios: a wait for writeback of a page whose bio no event names (ext4 and
/// btrfs name no sector for data) links to the page's device's in-flight bios when that device has stopped completing
/// them, and the chain goes on to the device's root blocker as it does when the bio is known.</summary>
public class StalledDeviceBiosTests
{
    private static string T(double x) => x.ToString("0.000000", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Bios queued on loop 7:2 by a writer; a completion at <paramref name="completionAt"/> (if any); the loop's
    /// worker stuck in freeze protection running loop2's work item; dd waiting for writeback of a page of 7:2 that no
    /// writeback-start event named.</summary>
    private static string Trace(double? completionAt, double ddSleepsAt = 100.2)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append($"          writer-500     [000] .....   {T(100.0)}: block_bio_queue: 7,2 WS 2048 + 8 [writer]\n");
        sb.Append($"          writer-500     [000] .....   {T(100.01)}: block_bio_queue: 7,2 WS 4096 + 256 [writer]\n");
        sb.Append($"          writer-500     [000] .....   {T(100.02)}: workqueue_queue_work: work struct=000000000000aa02 function=loop_rootcg_workfn workqueue=loop2 req_cpu=8192 cpu=4294967295\n");
        if (completionAt is double c)
            sb.Append($"     ksoftirqd/1-22      [001] ..s..   {T(c)}: block_rq_complete: 7,2 WS () 9000 + 8 be,0,4 [0]\n");
        sb.Append($"   kworker/u8:4-3693    [001] .....   {T(100.03)}: workqueue_execute_start: work struct 000000000000aa02: function loop_rootcg_workfn\n");
        sb.Append($"   kworker/u8:4-3693    [001] d..2.   {T(100.04)}: sched_switch: prev_comm=kworker/u8:4 prev_pid=3693 prev_prio=120 prev_state=D ==> next_comm=swapper/1 next_pid=0 next_prio=120\n");
        sb.Append($"   kworker/u8:4-3693    [001] d..2.   {T(100.04001)}: <stack trace>\n");
        sb.Append(" => __schedule\n => schedule\n => percpu_rwsem_wait\n => __percpu_down_read\n => lo_rw_aio\n => loop_process_work\n => process_one_work\n");
        sb.Append($"              dd-600     [000] .....   {T(ddSleepsAt)}: folio_wait_writeback: bdi 7:2: ino=12 index=3\n");
        sb.Append($"              dd-600     [000] d..2.   {T(ddSleepsAt + 0.00001)}: sched_switch: prev_comm=dd prev_pid=600 prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120\n");
        sb.Append($"            bash-3954    [000] .....   {T(110.0)}: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n");
        return sb.ToString();
    }

    [Fact]
    public void A_wait_on_a_page_of_a_stalled_device_joins_its_in_flight_bios_and_goes_on_to_the_root_blocker()
    {
        var f = Assert.Single(Analyze.Text(Trace(completionAt: 99.5)), f => f.Tasks.Any(t => t.Pid == 600));
        Assert.Equal(FindingKind.Stall, f.Kind);
        var inOneOf = Assert.Single(f.Chain, e => e.Relation == Relation.InOneOf);
        Assert.Equal("writeback-in-stalled-device-bios", inOneOf.RuleId());
        var bios = Assert.IsType<StalledBiosNode>(inOneOf.To);
        Assert.Equal((new DeviceNumber(7, 2), 2, 2048UL), (bios.Dev, bios.Count, bios.OldestSector));
        Assert.Equal("one of the 2 bios in flight on 7:2 (oldest: sector 2048 queued at 100.000000; no completion on 7:2 since 99.500000)", bios.Label);
        Assert.Equal("bios:7:2:in-flight", NodeId.Format(bios));
        // The evidence: the oldest bio's queue line and the last completion.
        Assert.Equal(2, inOneOf.Lines.Count);
        var served = Assert.Single(f.Chain, e => e.Relation == Relation.ServedBy);
        Assert.Equal(3693, Assert.IsType<TaskNode>(served.To).Pid);
        Assert.IsType<FrozenFsNode>(f.Root);
        Assert.Contains(f.Tasks, t => t.Pid == 3693);
    }

    [Fact]
    public void A_device_that_still_completes_after_the_wait_began_is_not_named()
    {
        // A completion on 7:2 after dd began to wait: the device is working, so nothing says dd's page is in the stuck bios.
        var f = Assert.Single(Analyze.Text(Trace(completionAt: 100.5)), f => f.Tasks.Any(t => t.Pid == 600));
        Assert.DoesNotContain(f.Chain, e => e.Relation == Relation.InOneOf);
        Assert.IsType<WritebackNode>(f.Root);
    }
}

/// <summary>Rule extent-map-names-page-sector: ext4 names no sector for the pages it writes back, but its block mapper
/// does (lblk -> pblk); with the block size (the topology's, or inferred from the first write bio after a mapping) the
/// waited page's bio is the in-flight bio covering its sector.</summary>
public class ExtentMapTests
{
    // Lines as this kernel prints them (a real ext4 capture: dd's fsync of 8 MiB to ext4 on loop 7:1, 4 KiB blocks).
    private const string Mapped =
        "              dd-9752    [000] .....   756.642029: ext4_ext_map_blocks_exit: dev 7,1 ino 12 flags CREATE|UNWRIT|DELALLOC|PRE_IO|METADATA_NOFAIL|IO_SUBMIT|EX_NOCACHE lblk 0 pblk 4139 len 1024 mflags NMU ret 1024\n" +
        "              dd-9752    [000] .....   756.642094: block_bio_queue: 7,1 WS 33112 + 8192 [dd]\n" +
        "              dd-9752    [000] .....   756.642163: ext4_ext_map_blocks_exit: dev 7,1 ino 12 flags CREATE|UNWRIT|DELALLOC|PRE_IO|METADATA_NOFAIL|IO_SUBMIT|EX_NOCACHE lblk 1024 pblk 5163 len 1024 mflags NMU ret 1024\n" +
        "              dd-9752    [000] .....   756.642200: block_bio_queue: 7,1 WS 41304 + 8192 [dd]\n";

    private static string Waits(long index) =>
        $"              dd-9752    [000] .....   756.642240: folio_wait_writeback: bdi 7:1: ino=12 index={index}\n" +
        "              dd-9752    [000] d..2.   756.642255: sched_switch: prev_comm=dd prev_pid=9752 prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120\n" +
        "            bash-3954    [000] .....   766.000000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n";

    [Theory]
    [InlineData(0, 33112UL)]
    [InlineData(1500, 41304UL)]
    public void The_waited_pages_bio_is_the_in_flight_bio_covering_its_mapped_sector(long index, ulong bioSector)
    {
        var f = Assert.Single(Analyze.Text(Mapped + Waits(index)), f => f.Tasks.Any(t => t.Pid == 9752));
        var inBio = Assert.Single(f.Chain, e => e.Relation == Relation.InBio);
        Assert.Equal("extent-map-names-page-sector", inBio.RuleId());
        Assert.Equal(new BioNode(new DeviceNumber(7, 1), bioSector, 0), inBio.To);
        Assert.Equal("device:7:1", NodeId.Format(f.Root!));
        Assert.Equal(FindingKind.Stall, f.Kind);
    }

    [Fact]
    public void Without_a_block_size_no_page_gets_a_sector()
    {
        // The bio after the mapping is a read (of the extent tree): it says nothing of the block size.
        var text = Mapped.Replace("WS 33112", "RM 33112").Replace("WS 41304", "RM 41304");
        var f = Assert.Single(Analyze.Text(text + Waits(0)), f => f.Tasks.Any(t => t.Pid == 9752));
        Assert.DoesNotContain(f.Chain, e => e.Relation == Relation.InBio);
    }
}
