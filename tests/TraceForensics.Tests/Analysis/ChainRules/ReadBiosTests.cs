using TraceForensics.Analysis.Graph;
using TraceForensics.Events.Model;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Analysis;

/// <summary>writeback-in-stalled-device-bios names the device's bios that can hold a page's writeback: writes. A read
/// in flight (rwbs R without W: include/trace/events/block.h, blk_fill_rwbs) ends no writeback.</summary>
public class ReadBiosTests
{
    private static string Trace(string first, string second) =>
        "     ksoftirqd/1-22      [001] ..s..   99.500000: block_rq_complete: 7,2 WS () 9000 + 8 be,0,4 [0]\n" +
        $"          writer-500     [000] .....   100.000000: block_bio_queue: 7,2 {first} 2048 + 8 [writer]\n" +
        $"          writer-500     [000] .....   100.010000: block_bio_queue: 7,2 {second} 4096 + 256 [writer]\n" +
        "              dd-600     [000] .....   100.200000: folio_wait_writeback: bdi 7:2: ino=12 index=3\n" +
        "              dd-600     [000] d..2.   100.200010: sched_switch: prev_comm=dd prev_pid=600 prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120\n" +
        "            bash-3954    [000] .....   110.000000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n";

    [Fact]
    public void Reads_in_flight_hold_no_writeback()
    {
        var f = Assert.Single(Analyze.Text(Trace("R", "RA")), f => f.Tasks.Any(t => t.Pid == 600));
        Assert.DoesNotContain(f.Chain, e => e.Relation == Relation.InOneOf);
    }

    [Fact]
    public void Only_the_writes_in_flight_are_counted()
    {
        var f = Assert.Single(Analyze.Text(Trace("RM", "WS")), f => f.Tasks.Any(t => t.Pid == 600));
        var bios = Assert.IsType<StalledBiosNode>(Assert.Single(f.Chain, e => e.Relation == Relation.InOneOf).To);
        Assert.Equal((new DeviceNumber(7, 2), 1, 4096UL), (bios.Dev, bios.Count, bios.OldestSector));
    }
}
