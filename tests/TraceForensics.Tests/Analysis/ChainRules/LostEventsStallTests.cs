using TraceForensics.Analysis.Graph;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Analysis;

/// <summary>writeback-in-stalled-device-bios claims a device "has completed none since": lost events (ftrace's
/// "CPU:N [LOST M EVENTS]") may have held completions, so the claim is never made across a gap.</summary>
public class LostEventsStallTests
{
    private static string Trace(string gap) =>
        "     ksoftirqd/1-22      [001] ..s..   99.500000: block_rq_complete: 7,2 WS () 9000 + 8 be,0,4 [0]\n" +
        "          writer-500     [000] .....   100.000000: block_bio_queue: 7,2 WS 2048 + 8 [writer]\n" +
        "          writer-500     [000] .....   100.010000: block_bio_queue: 7,2 WS 4096 + 256 [writer]\n" +
        gap +
        "              dd-600     [000] .....   100.200000: folio_wait_writeback: bdi 7:2: ino=12 index=3\n" +
        "              dd-600     [000] d..2.   100.200010: sched_switch: prev_comm=dd prev_pid=600 prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120\n" +
        "            bash-3954    [000] .....   110.000000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n";

    [Fact]
    public void Without_a_gap_the_devices_in_flight_bios_are_named()
    {
        var f = Assert.Single(Analyze.Text(Trace("")), f => f.Tasks.Any(t => t.Pid == 600));
        Assert.Equal("writeback-in-stalled-device-bios", Assert.Single(f.Chain, e => e.Relation == Relation.InOneOf).RuleId());
    }

    [Fact]
    public void Lost_events_after_the_bios_were_queued_may_have_held_their_completion()
    {
        var f = Assert.Single(Analyze.Text(Trace("CPU:1 [LOST 1234 EVENTS]\n")), f => f.Tasks.Any(t => t.Pid == 600));
        Assert.DoesNotContain(f.Chain, e => e.Relation == Relation.InOneOf);
    }
}
