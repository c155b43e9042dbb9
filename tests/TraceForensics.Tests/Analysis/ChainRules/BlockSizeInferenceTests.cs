using TraceForensics.Analysis.Graph;
using TraceForensics.Events.Model;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Analysis;

/// <summary>ext4-block-size-from-mapped-bio: ext4 submits an extent's bio when the next extent's buffers do not merge
/// into it (fs/ext4/page-io.c io_submit_add_bh -> ext4_io_submit), that is after it mapped the next extent: the bio
/// queued after a mapping may be the previous extent's. Only a bio inside the current mapped range, and in no earlier
/// one of the same task, tells the block size.</summary>
public class BlockSizeInferenceTests
{
    // Extent A: 8 blocks at pblk 4000 (sectors 32000..32064 with 4 KiB blocks); extent B: 100 blocks at pblk 16000. With
    // 1 KiB blocks A's bio at sector 32000 would be block 16000, inside B.
    private const string MapA =
        "              dd-710     [000] .....   100.000000: ext4_ext_map_blocks_exit: dev 7,1 ino 12 flags CREATE lblk 0 pblk 4000 len 8 mflags NM ret 8\n";
    private const string MapB =
        "              dd-710     [000] .....   100.000100: ext4_ext_map_blocks_exit: dev 7,1 ino 12 flags CREATE lblk 8 pblk 16000 len 100 mflags NM ret 100\n";
    private const string BioA =
        "              dd-710     [000] .....   100.000200: block_bio_queue: 7,1 WS 32000 + 64 [dd]\n";
    private const string BioB =
        "              dd-710     [000] .....   100.000300: block_bio_queue: 7,1 WS 128000 + 800 [dd]\n";
    // A page of B: lblk 8 (page 8 with 4 KiB blocks).
    private const string WaitsOnPage8 =
        "              dd-710     [000] .....   100.000400: folio_wait_writeback: bdi 7:1: ino=12 index=8\n" +
        "              dd-710     [000] d..2.   100.000410: sched_switch: prev_comm=dd prev_pid=710 prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120\n" +
        "            bash-3954    [000] .....   110.000000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n";

    [Fact]
    public void The_previous_extents_bio_queued_after_the_next_mapping_tells_nothing()
    {
        // Before: 1 KiB was inferred from A's bio and page 8 was put in A's bio at sector 32000.
        var f = Assert.Single(Analyze.Text(MapA + MapB + BioA + WaitsOnPage8), f => f.Tasks.Any(t => t.Pid == 710));
        Assert.DoesNotContain(f.Chain, e => e.Relation == Relation.InBio);
    }

    [Fact]
    public void The_current_extents_own_bio_tells_the_block_size()
    {
        var f = Assert.Single(Analyze.Text(MapA + MapB + BioA + BioB + WaitsOnPage8), f => f.Tasks.Any(t => t.Pid == 710));
        var inBio = Assert.Single(f.Chain, e => e.Relation == Relation.InBio);
        Assert.Equal("extent-map-names-page-sector", inBio.RuleId());
        Assert.Equal(new BioNode(new DeviceNumber(7, 1), 128000UL, 0), inBio.To);
    }
}
