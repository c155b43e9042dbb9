using TraceForensics.Analysis.Graph;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Analysis;

/// <summary>buffer-io-waits-own-bio: a task in wait_on_buffer after its own submit_bh waits for its own bio; a task in
/// lock_buffer (fs/buffer.c __lock_buffer -> wait_on_bit_lock_io) waits for a buffer lock another task holds, whatever
/// bio it queued last.</summary>
public class BufferLockWaitTests
{
    private static string Trace(params string[] frames) =>
        "    jbd2/loop1-8-300     [000] .....   100.000000: block_bio_queue: 7,1 WS 2048 + 8 [jbd2/loop1-8]\n" +
        "    jbd2/loop1-8-300     [000] d..2.   100.000010: sched_switch: prev_comm=jbd2/loop1-8 prev_pid=300 prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120\n" +
        "    jbd2/loop1-8-300     [000] d..2.   100.000011: <stack trace>\n" +
        string.Concat(frames.Select(f => $" => {f}\n")) +
        "            bash-3954    [000] .....   110.000000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n";

    [Fact]
    public void Wait_on_buffer_after_its_own_submission_waits_for_its_bio()
    {
        var f = Assert.Single(Analyze.Text(Trace("__schedule", "schedule", "io_schedule", "bit_wait_io", "__wait_on_bit", "out_of_line_wait_on_bit",
            "__wait_on_buffer", "jbd2_write_superblock", "jbd2_journal_update_sb_log_tail", "kjournald2", "kthread", "ret_from_fork")));
        Assert.Equal("buffer-io-waits-own-bio:bit_wait_io", Assert.Single(f.Chain, e => e.Relation == Relation.WaitsForBio).RuleId());
    }

    [Fact]
    public void A_wait_on_buffer_inlined_into_its_caller_waits_for_its_bio()
    {
        // As this kernel's jbd2 shows it (sample-traces/ext4-frozen-backing-stall): wait_on_buffer inlined.
        var f = Assert.Single(Analyze.Text(Trace("__schedule", "schedule", "io_schedule", "bit_wait_io", "__wait_on_bit", "out_of_line_wait_on_bit",
            "jbd2_write_superblock", "jbd2_journal_update_sb_log_tail", "jbd2_journal_commit_transaction", "kjournald2", "kthread", "ret_from_fork")));
        Assert.Equal("buffer-io-waits-own-bio:bit_wait_io", Assert.Single(f.Chain, e => e.Relation == Relation.WaitsForBio).RuleId());
    }

    [Fact]
    public void A_shadow_buffer_wait_is_for_the_journals_io_not_its_own()
    {
        var f = Assert.Single(Analyze.Text(Trace("__schedule", "schedule", "io_schedule", "bit_wait_io", "__wait_on_bit", "out_of_line_wait_on_bit",
            "do_get_write_access", "jbd2_journal_get_write_access", "__ext4_journal_get_write_access", "kthread", "ret_from_fork")));
        Assert.DoesNotContain(f.Chain, e => e.Relation == Relation.WaitsForBio);
    }

    [Fact]
    public void Lock_buffer_waits_for_another_holder_not_for_its_own_bio()
    {
        var f = Assert.Single(Analyze.Text(Trace("__schedule", "schedule", "io_schedule", "bit_wait_io", "__wait_on_bit_lock", "out_of_line_wait_on_bit_lock",
            "__lock_buffer", "do_get_write_access", "jbd2_journal_get_write_access", "__ext4_journal_get_write_access", "ext4_reserve_inode_write",
            "kthread", "ret_from_fork")));
        Assert.DoesNotContain(f.Chain, e => e.Relation == Relation.WaitsForBio);
    }
}
