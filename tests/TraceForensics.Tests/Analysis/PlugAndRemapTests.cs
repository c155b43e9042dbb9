using TraceForensics.Analysis;
using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Analysis;

/// <summary>A bio held in a plug is waiting for the plugging task; a remapped bio is in flight on the lower device.</summary>
public class PlugAndRemapTests
{
    private const string Ioend =
        "          writer-500     [000] .....   100.000000: iomap_add_to_ioend: dev 254:0 ino 0x83 bdev 254:0 pos 0x0 dirty len 0x1000 addr 0x39000 offset 0x0 length 0x1000 type MAPPED (0x2) flags  (0x0)\n";
    private const string Waits =
        "          fsyncer-600    [001] .....   100.000100: folio_wait_writeback: bdi 254:0: ino=131 index=0\n" +
        "          fsyncer-600    [001] d..2.   100.000110: sched_switch: prev_comm=fsyncer prev_pid=600 prev_prio=120 prev_state=D ==> next_comm=swapper/1 next_pid=0 next_prio=120\n";
    private const string WriterRunsLater =
        "          writer-500     [000] .....   104.000000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n";

    private static Finding Single(string text)
    {
        var found = Analyze.Text(text);
        return Assert.Single(found);
    }

    [Fact]
    public void A_bio_held_in_a_plug_waits_for_the_running_task_that_plugged_it()
    {
        var f = Single(Ioend +
            "          writer-500     [000] .....   100.000010: block_plug: [writer]\n" +
            "          writer-500     [000] .....   100.000020: block_bio_queue: 254,0 W 456 + 8 [writer]\n" +
            Waits + WriterRunsLater);
        Assert.Equal(FindingKind.Stall, f.Kind);
        Assert.Equal("task:500", f.Root?.Id());
        Assert.Equal(["waits-for-writeback", "in-bio", "plugged-by"], f.Chain.Select(e => e.RelationId()));
    }

    [Fact]
    public void After_unplug_the_bio_is_in_flight_on_the_device()
    {
        var f = Single(Ioend +
            "          writer-500     [000] .....   100.000010: block_plug: [writer]\n" +
            "          writer-500     [000] .....   100.000020: block_bio_queue: 254,0 W 456 + 8 [writer]\n" +
            "          writer-500     [000] .....   100.000030: block_unplug: [writer] 1\n" +
            Waits + WriterRunsLater);
        Assert.Equal("device:254:0", f.Root?.Id());
    }

    [Fact]
    public void A_remapped_bio_is_in_flight_on_the_lower_device()
    {
        var f = Single(Ioend +
            "          writer-500     [000] .....   100.000020: block_bio_queue: 254,0 W 456 + 8 [writer]\n" +
            "          writer-500     [000] .....   100.000025: block_bio_remap: 8,16 W 2504 + 8 <- (254,0) 456\n" +
            Waits + WriterRunsLater);
        Assert.Equal("device:8:16", f.Root?.Id());
        var inFlight = f.Chain.Single(e => e.Relation == Relation.InFlightOn);
        Assert.Equal(2, inFlight.Lines.Count); // the queue and the remap
    }
}
