using TraceForensics.Analysis;
using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Analysis;

/// <summary>What a task announced it waits on survives what the way to sleep emits (io_schedule flushes the task's
/// plug), and a contended page lock's holder is known after the task slept in __folio_lock.</summary>
public class AnnouncedWaitTests
{
    private const string Deadlock =
        "    kworker/u8:9-47190   [001] .....   100.000012: iomap_add_to_ioend: dev 8:16 ino 0x83 bdev 8:16 pos 0x64000 dirty len 0x1000 addr 0x5000000 offset 0x64000 length 0x1000 type MAPPED (0x2) flags  (0x0)\n" +
        "        postgres-47211   [000] .....   100.000100: mm_filemap_fault: dev=8:16 ino=83 ofs=413696\n" +
        "        postgres-47211   [000] .....   100.000105: folio_lock: (__folio_lock+0x0/0x40) folio=0xffffea0004a1b040 index=101 ino=131\n" +
        "        postgres-47211   [000] d..2.   100.000107: sched_switch: prev_comm=postgres prev_pid=47211 prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120\n" +
        "          <idle>-0       [000] d.s4.   100.000120: sched_waking: comm=postgres pid=47211 prio=120 target_cpu=000\n" +
        "          <idle>-0       [000] d..2.   100.000125: sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=postgres next_pid=47211 next_prio=120\n" +
        "        postgres-47211   [000] .....   100.000130: folio_locked: (filemap_fault+0x3a2/0x8c0 <- __folio_lock)\n" +
        "        postgres-47211   [000] .....   100.000230: folio_wait_writeback: bdi 8:16: ino=131 index=100\n" +
        "        postgres-47211   [000] .....   100.000232: block_unplug: [postgres] 1\n" +
        "        postgres-47211   [000] d..2.   100.000235: sched_switch: prev_comm=postgres prev_pid=47211 prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120\n" +
        "    kworker/u8:9-47190   [001] .....   100.000300: folio_lock: (__folio_lock+0x0/0x40) folio=0xffffea0004a1b040 index=101 ino=131\n" +
        "    kworker/u8:9-47190   [001] .....   100.000302: block_unplug: [kworker/u8:9] 1\n" +
        "    kworker/u8:9-47190   [001] d..2.   100.000305: sched_switch: prev_comm=kworker/u8:9 prev_pid=47190 prev_prio=120 prev_state=D ==> next_comm=swapper/1 next_pid=0 next_prio=120\n";

    [Fact]
    public void Plug_flushes_on_the_way_to_sleep_keep_the_observed_waits_and_the_contended_holder()
    {
        var found = Analyze.Text(Deadlock);
        var d = Assert.Single(found, f => f.Kind == FindingKind.Deadlock);
        Assert.All(d.Chain, e => Assert.True(e.Observed, $"{e.From} -> {e.To} inferred by {e.Rule}"));
        Assert.Equal(["bio:8:16:163840", "pagelock:8:16:131:101", "task:47190", "task:47211", "writeback:8:16:131:100"],
            d.Chain.Select(e => e.From.Id()).Order(StringComparer.Ordinal));
    }
}
