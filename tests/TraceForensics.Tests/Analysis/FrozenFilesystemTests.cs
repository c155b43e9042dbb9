using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Events.Model;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Analysis;

/// <summary>A frozen filesystem is named only from evidence: the freezer's own write or flush while it is inside
/// freeze_super. No freeze in the input, or several, leaves the device unknown, and the node says why.</summary>
public class FrozenFilesystemTests
{
    private static string Freezer(int pid, string dev, string rwbs, double at)
    {
        string T(double x) => x.ToString("0.000000", System.Globalization.CultureInfo.InvariantCulture);
        return $"          xfs_io-{pid}    [001] d..2.   {T(at)}: sched_switch: prev_comm=xfs_io prev_pid={pid} prev_prio=120 prev_state=D ==> next_comm=swapper/1 next_pid=0 next_prio=120\n" +
               $"          xfs_io-{pid}    [001] d..2.   {T(at + 0.000001)}: <stack trace>\n" +
               " => __schedule\n => schedule\n => percpu_down_write\n => freeze_super.part.0\n => __x64_sys_ioctl\n" +
               $"          xfs_io-{pid}    [001] .....   {T(at + 0.0001)}: block_bio_queue: {dev} {rwbs} 1048634 + 2 [xfs_io]\n";
    }

    private const string Worker =
        "    kworker/u8:4-3693    [000] d..2.   101.000000: sched_switch: prev_comm=kworker/u8:4 prev_pid=3693 prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120\n" +
        "    kworker/u8:4-3693    [000] d..2.   101.000001: <stack trace>\n" +
        " => __schedule\n => schedule\n => percpu_rwsem_wait\n => __percpu_down_read\n => lo_rw_aio\n => loop_process_work\n => process_one_work\n" +
        "            bash-3954    [000] .....   105.000000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n";

    private static FrozenFsNode Root(string text) =>
        Assert.IsType<FrozenFsNode>(Assert.Single(Analyze.Text(text), f => f.Kind is FindingKind.Stall).Root);

    [Fact]
    public void The_freezers_flush_names_the_frozen_device()
    {
        var root = Root(Freezer(4004, "7,1", "FWFSM", 100) + Worker);
        Assert.Equal(new DeviceNumber(7, 1), root.Dev);
        Assert.Equal("freeze:7:1", NodeId.Format(root));
    }

    [Fact]
    public void A_read_by_the_freezer_names_nothing()
    {
        var root = Root(Freezer(4004, "7,1", "RA", 100) + Worker);
        Assert.Null(root.Dev);
        Assert.Equal("a frozen filesystem (device unknown: no freeze in the input)", root.Label);
        Assert.Equal("freeze:unknown", NodeId.Format(root));
    }

    [Fact]
    public void Two_frozen_filesystems_leave_the_waiters_device_unknown_and_say_which_were_frozen()
    {
        var root = Root(Freezer(4004, "7,1", "FWFSM", 100) + Freezer(4010, "7,3", "W", 100.5) + Worker);
        Assert.Null(root.Dev);
        Assert.Contains("2 filesystems were frozen (7:1, 7:3)", root.Label);
    }
}
