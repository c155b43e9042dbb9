using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Analysis;

/// <summary>A task waiting for writeback of a page in the bio it built itself, with no submission seen: after its
/// writepages returned (fdatawait) the bio was submitted (writepages submits before it returns: fs/ext4/inode.c
/// ext4_do_writepages -> ext4_io_submit), so that is no deadlock; while it is still inside writepages
/// (fs/ext4/inode.c mpage_prepare_extent_to_map -> folio_wait_writeback) nothing submitted it: it waits for itself.</summary>
public class OwnUnsubmittedBioTests
{
    private static string Trace(params string[] frames) =>
        "    kworker/u8:9-400     [001] .....   100.000000: ext4_writepages: dev 8,16 ino 131 nr_to_write 1024 pages_skipped 0 range_start 0 range_end 0 sync_mode 1 for_kupdate 0 range_cyclic 0 writeback_index 100\n" +
        "    kworker/u8:9-400     [001] .....   100.000008: ext4_da_write_pages_extent: dev 8,16 ino 131 lblk 100 len 1 flags 0x2\n" +
        "    kworker/u8:9-400     [001] .....   100.000100: folio_wait_writeback: bdi 8:16: ino=131 index=100\n" +
        "    kworker/u8:9-400     [001] d..2.   100.000110: sched_switch: prev_comm=kworker/u8:9 prev_pid=400 prev_prio=120 prev_state=D ==> next_comm=swapper/1 next_pid=0 next_prio=120\n" +
        "    kworker/u8:9-400     [001] d..2.   100.000111: <stack trace>\n" +
        string.Concat(frames.Select(f => $" => {f}\n")) +
        "            bash-3954    [000] .....   110.000000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n";

    [Fact]
    public void A_wait_after_writepages_returned_is_no_deadlock_with_itself()
    {
        var findings = Analyze.Text(Trace("__schedule", "schedule", "io_schedule", "folio_wait_bit", "folio_wait_writeback", "__filemap_fdatawait_range",
            "file_write_and_wait_range", "ext4_sync_file", "vfs_fsync_range", "do_fsync", "__x64_sys_fsync", "do_syscall_64"));
        Assert.DoesNotContain(findings, f => f.Kind is FindingKind.Deadlock or FindingKind.PotentialDeadlock);
    }

    [Fact]
    public void A_wait_inside_writepages_on_its_own_unsubmitted_bio_is_a_deadlock_with_itself()
    {
        var findings = Analyze.Text(Trace("__schedule", "schedule", "io_schedule", "folio_wait_bit", "folio_wait_writeback", "mpage_prepare_extent_to_map",
            "ext4_do_writepages", "ext4_writepages", "do_writepages", "__writeback_single_inode", "writeback_sb_inodes", "wb_writeback", "wb_workfn",
            "process_one_work", "worker_thread", "kthread", "ret_from_fork"));
        var f = Assert.Single(findings, f => f.Kind == FindingKind.Deadlock);
        Assert.Contains(f.Chain, e => e.Relation == Relation.UnsubmittedBioOwnedBy && e.To is TaskNode { Pid: 400 });
    }
}
