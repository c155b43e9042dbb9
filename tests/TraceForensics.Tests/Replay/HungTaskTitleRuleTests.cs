using System.Collections.Immutable;
using System.Text.Json;
using TraceForensics.Replay.Tasks;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Replay;

/// <summary>syzkaller's rule for the function of an "INFO: task hung in" title (google/syzkaller pkg/report/linux.go
/// linuxHangTaskFrameExtractor and linuxStackParams), on stacks innermost first.</summary>
public class HungTaskTitleRuleTests
{
    private static HungTaskTitle Title(params string[] frames) => HungTaskTitleRule.Of([.. frames]);

    [Fact]
    public void A_writeback_wait_is_titled_by_the_caller_of_the_wait_helpers()
    {
        // folio_wait_bit_common, folio_wait_writeback, __filemap_fdatawait_range and file_write_and_wait_range all contain "wait".
        Assert.Equal(new HungTaskTitle("xfs_file_fsync", null), Title("__schedule", "schedule", "io_schedule", "folio_wait_bit_common",
            "folio_wait_writeback", "__filemap_fdatawait_range", "file_write_and_wait_range", "xfs_file_fsync", "__x64_sys_fsync"));
        Assert.Equal("shrink_folio_list", Title("io_schedule", "folio_wait_bit_common", "folio_wait_writeback", "shrink_folio_list").Function);
    }

    [Fact]
    public void Lock_plumbing_is_looked_through()
    {
        Assert.Equal("ext4_da_get_block_prep", Title("__schedule", "schedule", "rwsem_down_write_slowpath", "down_write", "ext4_da_get_block_prep").Function);
        // __mutex_lock and mutex_lock_nested are skip patterns (^__mutex_, ^mutex_); tty_ldisc_lock_pair_timeout contains "_lock".
        Assert.Equal("tty_ldisc_hangup", Title("schedule", "schedule_timeout", "ldsem_down_write", "tty_ldisc_lock_pair_timeout", "tty_ldisc_hangup").Function);
        Assert.Equal("blkdev_put", Title("__schedule", "schedule_preempt_disabled", "__mutex_lock", "mutex_lock_nested", "blkdev_put").Function);
        // __filemap_get_folio is a skip pattern: the page-cache lookup that waits for a folio lock is titled by its caller.
        Assert.Equal("hugetlb_fault", Title("io_schedule", "folio_wait_bit_common", "__filemap_get_folio", "hugetlb_fault").Function);
    }

    [Fact]
    public void Anchors_win_over_earlier_frames_and_grace_periods_are_synchronize_rcu()
    {
        Assert.Equal("rtnl_lock", Title("__schedule", "schedule", "__mutex_lock", "mutex_lock_nested", "rtnl_lock", "tun_chr_close").Function);
        Assert.Equal("synchronize_rcu", Title("schedule", "wait_for_completion", "__wait_rcu_gp", "synchronize_rcu_expedited", "nf_tables_exit_net").Function);
        Assert.Equal("synchronize_rcu", Title("schedule", "my_helper", "synchronize_srcu", "kvm_destroy_vm").Function);
        Assert.Equal("synchronize_rcu", Title("schedule", "my_helper", "synchronize_net", "dev_close").Function);
    }

    [Fact]
    public void Syscall_prefixes_are_stripped_and_compiler_suffixes_cut()
    {
        Assert.Equal("sync", Title("schedule", "wb_wait_for_completion", "__do_sys_sync").Function);
        Assert.Equal("sys_sync", Title("schedule", "__x64_sys_sync").Function); // the shortest of each prefix removed alone
        Assert.Equal("p9_client_rpc", Title("__schedule", "schedule", "p9_client_rpc.cold", "p9_client_flush").Function);
    }

    [Fact]
    public void Unreliable_frames_are_never_the_title()
    {
        Assert.Equal("real_function", Title("__schedule", "? decoy_function", "real_function").Function);
    }

    [Fact]
    public void Stacks_without_a_usable_frame_are_titled_corrupted()
    {
        Assert.Equal(new HungTaskTitle(null, HungTaskTitleRule.AllFramesSkipped),
            Title("__schedule", "schedule", "schedule_timeout", "wait_for_completion", "kthread"));
        Assert.Equal(new HungTaskTitle(null, HungTaskTitleRule.OnlyUnreliableFrames), Title("? __schedule", "? register_netdevice_notifier"));
        Assert.Equal(new HungTaskTitle(null, HungTaskTitleRule.NoFrames), HungTaskTitleRule.Of(ImmutableArray<string>.Empty));
        // A fault-injection stack printed into the report (linuxStackParams.corruptedLines).
        Assert.Equal(new HungTaskTitle(null, HungTaskTitleRule.FaultInjectionMixedIn), Title("schedule", "should_failslab", "my_function"));
    }

    [Fact]
    public void A_report_with_no_usable_frame_is_diagnosed_and_has_no_blocked_in_in_json()
    {
        var path = Run.TempFile(
            "[  9.0] INFO: task a:7 blocked for more than 120 seconds.\n[  9.1] Call Trace:\n[  9.2]  __schedule+0x1/0x2\n" +
            "[  9.3]  schedule+0x1/0x2\n[  9.4]  schedule_timeout+0x1/0x2\n[  9.5]  wait_for_completion+0x1/0x2\n[  9.6]  kthread+0x1/0x2\n");
        var (_, stdout, stderr) = Run.Cli("analyze", "--format", "json", path);
        Assert.Contains($"{path}:1: warning: the hung-task report of a:7 names no function", stderr);
        Assert.Contains("[corrupted-hung-report]", stderr);
        using var doc = JsonDocument.Parse(stdout);
        var task = doc.RootElement.GetProperty("findings")[0].GetProperty("tasks")[0];
        Assert.Equal(JsonValueKind.Null, task.GetProperty("blockedIn").ValueKind);
        Assert.True(task.GetProperty("blockedInCorrupted").GetBoolean());
        Assert.Equal(HungTaskTitleRule.AllFramesSkipped, task.GetProperty("blockedInCorruptedReason").GetString());
        var (_, text, _) = Run.Cli("analyze", path);
        Assert.Contains($"in ? (corrupted: {HungTaskTitleRule.AllFramesSkipped})", text);
    }
}
