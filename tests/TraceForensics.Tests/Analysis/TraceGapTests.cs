using TraceForensics.Analysis;
using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Events.Model;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Analysis;

/// <summary>Lost events make a sleeping task's state unknown instead of wrongly certain.</summary>
public class TraceGapTests
{
    private const string Blocks =
        "              dd-4005    [001] .....   100.000000: folio_wait_writeback: bdi 8:16: ino=131 index=0\n" +
        "              dd-4005    [001] d..2.   100.000010: sched_switch: prev_comm=dd prev_pid=4005 prev_prio=120 prev_state=D ==> next_comm=swapper/1 next_pid=0 next_prio=120\n";
    private const string Later =
        "            bash-3954    [000] .....   105.000000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n";

    private static IReadOnlyList<Finding> Analyze(string text) => Support.Analyze.Text(text);

    [Fact]
    public void A_task_blocked_for_five_seconds_is_a_stall_or_hang()
    {
        var f = Assert.Single(Analyze(Blocks + Later));
        Assert.Equal(4005, Assert.Single(f.Tasks).Pid);
    }

    [Fact]
    public void Lost_events_after_it_blocked_leave_its_state_unknown()
    {
        Assert.Empty(Analyze(Blocks + "CPU:1 [LOST 1234 EVENTS]\n" + Later));
    }

    [Fact]
    public void The_gap_marker_is_not_counted_as_an_event()
    {
        var (session, events) = Run.Text(Blocks + "CPU:1 [LOST 1234 EVENTS]\n" + Later);
        Assert.Equal(3, session.Inputs[0].Events);
        Assert.Equal(1234, session.Inputs[0].LostEvents);
        Assert.Single(events, e => e.Kind == EventKind.TraceGap);
        var (_, stdout, _) = Run.Cli("stats", "--format", "json", Run.TempFile(Blocks + "CPU:1 [LOST 1234 EVENTS]\n" + Later));
        Assert.DoesNotContain("lost_events", stdout);
    }

    [Fact]
    public void A_task_first_seen_in_a_hang_report_is_blocked_since_unknown()
    {
        var f = Assert.Single(Analyze(
            "      khungtaskd-31      [001] .....   200.000000: sched_process_hang: comm=stuck pid=812\n" + Later.Replace("105.", "201.")));
        var t = Assert.Single(f.Tasks);
        Assert.Equal(("stuck", 812), (t.Comm, t.Pid));
        Assert.True(t.SinceUnknown);
        Assert.Equal(FindingKind.HungTask, f.Kind);
        var (_, json, _) = Run.Cli("analyze", "--format", "json",
            Run.TempFile("      khungtaskd-31      [001] .....   200.000000: sched_process_hang: comm=stuck pid=812\n"));
        Assert.Contains("\"blockedSince\": null", json);
    }

}
