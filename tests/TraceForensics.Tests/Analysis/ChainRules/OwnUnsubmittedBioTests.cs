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

    /// <summary>btrfs submits the bio it builds before it waits for a page's writeback inside writepages
    /// (fs/btrfs/extent_io.c extent_write_cache_pages: submit_write_bio, then folio_wait_writeback), and the submission
    /// may be a btrfs worker's (fs/btrfs/bio.c btrfs_submit_chunk -> should_async_write -> btrfs_wq_submit_bio, for
    /// checksums that are not fast): a builder seen waiting inside writepages on its own bio is no deadlock on btrfs.</summary>
    [Fact]
    public void A_btrfs_builder_waiting_inside_writepages_on_its_own_bio_is_no_deadlock_with_itself()
    {
        const string topology = """
            # tracefx topology v1
            fs 0:39 type=btrfs blocksize=4096 bdi=btrfs-10
            btrfs d35deade-b858-4610-add8-a40444b30954 bdi=btrfs-10 anon=0:39 devices=8:16

            """;
        string trace =
            "    kworker/u8:9-400     [001] .....   100.000000: writeback_single_inode_start: bdi btrfs-10: ino=257 state=I_DIRTY_PAGES|I_SYNC dirtied_when=4294984846 age=0 index=100 to_write=1024 wrote=0 cgroup_ino=1\n" +
            "    kworker/u8:9-400     [001] .....   100.000006: extent_writepage: d35deade-b858-4610-add8-a40444b30954: root=5(FS_TREE) ino=257 page_index=100 nr_to_write=1024 pages_skipped=0 range_start=0 range_end=9223372036854775807 for_kupdate=0 range_cyclic=0 writeback_index=100\n" +
            "   kworker/u9:2-500      [000] .....   100.000050: block_bio_queue: 8,16 W 163840 + 8 [kworker/u9:2]\n" +
            "    kworker/u8:9-400     [001] .....   100.000100: folio_wait_writeback: bdi btrfs-10: ino=257 index=100\n" +
            "    kworker/u8:9-400     [001] d..2.   100.000110: sched_switch: prev_comm=kworker/u8:9 prev_pid=400 prev_prio=120 prev_state=D ==> next_comm=swapper/1 next_pid=0 next_prio=120\n" +
            "    kworker/u8:9-400     [001] d..2.   100.000111: <stack trace>\n" +
            string.Concat(new[] { "__schedule", "schedule", "io_schedule", "folio_wait_bit", "folio_wait_writeback", "extent_write_cache_pages",
                "btrfs_writepages", "do_writepages", "__writeback_single_inode", "writeback_sb_inodes", "wb_writeback", "wb_workfn",
                "process_one_work", "worker_thread", "kthread", "ret_from_fork" }.Select(f => $" => {f}\n")) +
            "            bash-3954    [000] .....   110.000000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n";
        var findings = Analyze.Files(Run.TempFile(trace), Run.TempFile(topology));
        Assert.DoesNotContain(findings, f => f.Kind is FindingKind.Deadlock or FindingKind.PotentialDeadlock);
    }
}
