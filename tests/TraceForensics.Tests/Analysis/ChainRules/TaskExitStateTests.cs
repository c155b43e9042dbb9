using TraceForensics.Analysis.Graph;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Analysis;

/// <summary>What the replay keeps per task for the bio rules (the bio it queued last, its plug, its last block mapping)
/// ends with the task (kernel/exit.c do_exit: sched_process_exit): a later task given the same pid did not queue it.</summary>
public class TaskExitStateTests
{
    private static string Trace(bool exitsAndPidIsReused) =>
        "    jbd2/loop1-8-300     [000] .....   100.000000: block_bio_queue: 7,1 WS 2048 + 8 [jbd2/loop1-8]\n" +
        (exitsAndPidIsReused
            ? "    jbd2/loop1-8-300     [000] .....   100.000100: sched_process_exit: comm=jbd2/loop1-8 pid=300 prio=120\n" +
              "            bash-3954    [000] .....   100.000200: sched_process_fork: comm=bash pid=3954 child_comm=bash child_pid=300\n"
            : "") +
        "    jbd2/loop1-8-300     [000] d..2.   100.000300: sched_switch: prev_comm=jbd2/loop1-8 prev_pid=300 prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120\n" +
        "    jbd2/loop1-8-300     [000] d..2.   100.000301: <stack trace>\n" +
        " => __schedule\n => schedule\n => io_schedule\n => bit_wait_io\n => __wait_on_bit\n => out_of_line_wait_on_bit\n => __wait_on_buffer\n" +
        " => jbd2_write_superblock\n => kjournald2\n => kthread\n => ret_from_fork\n" +
        "            bash-3954    [000] .....   110.000000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n";

    [Fact]
    public void The_same_task_waits_for_the_bio_it_queued()
    {
        var f = Assert.Single(Analyze.Text(Trace(exitsAndPidIsReused: false)));
        Assert.Single(f.Chain, e => e.Relation == Relation.WaitsForBio);
    }

    [Fact]
    public void A_new_task_with_the_pid_of_an_exited_one_did_not_queue_its_bio()
    {
        var f = Assert.Single(Analyze.Text(Trace(exitsAndPidIsReused: true)));
        Assert.DoesNotContain(f.Chain, e => e.Relation == Relation.WaitsForBio);
    }
}
