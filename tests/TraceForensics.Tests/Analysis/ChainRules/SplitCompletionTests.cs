using TraceForensics.Analysis.Graph;
using TraceForensics.Events.Model;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Analysis;

/// <summary>A bio split for the device's limits (block_split, as btrfs's 1 MiB bios on loop show it) completes in parts:
/// the completion of the first part leaves the rest in flight.</summary>
public class SplitCompletionTests
{
    private static string Trace(string completion) =>
        "              dd-500     [001] .....   100.000000: block_bio_queue: 7,1 WS 26624 + 2048 [dd]\n" +
        "              dd-500     [001] .....   100.000010: block_split: 7,1 WS 26624 / 27648 [dd]\n" +
        $"     ksoftirqd/1-22      [001] ..s..   100.050000: block_rq_complete: 7,1 WS () {completion} be,0,4 [0]\n" +
        "              dd-600     [000] .....   100.200000: folio_wait_writeback: bdi 7:1: ino=12 index=3\n" +
        "              dd-600     [000] d..2.   100.200010: sched_switch: prev_comm=dd prev_pid=600 prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120\n" +
        "            bash-3954    [000] .....   110.000000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n";

    [Fact]
    public void The_first_parts_completion_leaves_the_rest_of_the_bio_in_flight()
    {
        var f = Assert.Single(Analyze.Text(Trace("26624 + 1024")), f => f.Tasks.Any(t => t.Pid == 600));
        var bios = Assert.IsType<StalledBiosNode>(Assert.Single(f.Chain, e => e.Relation == Relation.InOneOf).To);
        Assert.Equal((new DeviceNumber(7, 1), 1, 27648UL), (bios.Dev, bios.Count, bios.OldestSector));
    }

    [Fact]
    public void The_whole_bios_completion_ends_it()
    {
        var f = Assert.Single(Analyze.Text(Trace("26624 + 2048")), f => f.Tasks.Any(t => t.Pid == 600));
        Assert.DoesNotContain(f.Chain, e => e.Relation == Relation.InOneOf);
    }
}
