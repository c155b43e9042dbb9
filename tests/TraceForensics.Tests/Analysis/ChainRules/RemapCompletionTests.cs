using TraceForensics.Analysis.Graph;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Analysis;

/// <summary>A bio that device-mapper remapped (block_bio_remap) completes on the lower device: the upper device's bio is
/// done with it (drivers/md/dm.c clone_endio -> dec_pending -> bio_endio of the original), so it is not left "in flight"
/// on the upper device for writeback-in-stalled-device-bios to name.</summary>
public class RemapCompletionTests
{
    private static string Trace(bool lowerCompletes) =>
        "          writer-500     [000] .....   100.000000: block_bio_queue: 254,0 WS 456 + 8 [writer]\n" +
        "          writer-500     [000] .....   100.000005: block_bio_remap: 8,16 WS 2504 + 8 <- (254,0) 456\n" +
        (lowerCompletes ? "     ksoftirqd/1-22      [001] ..s..   100.000050: block_rq_complete: 8,16 WS () 2504 + 8 be,0,4 [0]\n" : "") +
        "              dd-600     [000] .....   100.200000: folio_wait_writeback: bdi 254:0: ino=12 index=3\n" +
        "              dd-600     [000] d..2.   100.200010: sched_switch: prev_comm=dd prev_pid=600 prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120\n" +
        "            bash-3954    [000] .....   110.000000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n";

    [Fact]
    public void The_upper_devices_bio_is_done_when_its_remapped_bio_completes_on_the_lower_device()
    {
        var f = Assert.Single(Analyze.Text(Trace(lowerCompletes: true)), f => f.Tasks.Any(t => t.Pid == 600));
        Assert.DoesNotContain(f.Chain, e => e.Relation == Relation.InOneOf);
    }

    [Fact]
    public void While_the_lower_bio_is_in_flight_the_upper_device_has_it_in_flight()
    {
        var f = Assert.Single(Analyze.Text(Trace(lowerCompletes: false)), f => f.Tasks.Any(t => t.Pid == 600));
        var inOneOf = Assert.Single(f.Chain, e => e.Relation == Relation.InOneOf);
        Assert.Equal(1, Assert.IsType<StalledBiosNode>(inOneOf.To).Count);
    }
}
