using System.Globalization;
using TraceForensics.Analysis.Graph;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Analysis;

/// <summary>A lockdep class names many locks: every directory inode has an i_rwsem of class
/// &amp;type-&gt;i_mutex_dir_key#N. A held-locks list prints each lock's address beside its class
/// (kernel/locking/lockdep.c print_lock: " #i: ADDRESS (CLASS){usage}-{wait}, at: SITE"), so a waiter is tied to the
/// holder of the same instance, never to another task holding another lock of that class.</summary>
public class LockInstanceTests
{
    /// <summary>Four tasks, two directory locks of one class (at ...1000 and ...2000) and a mutex m (...9000):
    /// syz-executor.3 waits for dir lock 1000, held by syz-executor.0, which waits for m, held by syz-executor.1, which
    /// waits for dir lock 2000, held by syz-executor.2 (running: listed, not hung). kernel/hung_task.c check_hung_task
    /// reports the three blocked ones; debug_show_all_locks lists every task's locks, the awaited one last.</summary>
    internal static string TwoDirectoryLocksReport()
    {
        var lines = new List<string>();
        void Hung(string comm, int pid, string[] frames)
        {
            lines.Add($"INFO: task {comm}:{pid} blocked for more than 143 seconds.");
            lines.Add("      Not tainted 6.1.0-syzkaller #0");
            lines.Add("\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.");
            lines.Add($"task:{comm,-15} state:D stack:26000 pid:{pid,-5} ppid:4012   flags:0x00004004");
            lines.Add("Call Trace:");
            lines.Add(" <TASK>");
            lines.AddRange(frames.Select(f => " " + f));
            lines.Add(" </TASK>");
        }
        Hung("syz-executor.0", 6001, ["__schedule+0xb6a/0x5960", "schedule+0xde/0x1b0", "schedule_preempt_disabled+0x13/0x20",
            "__mutex_lock+0xa48/0x1360", "some_ioctl+0x93/0x3c0", "do_syscall_64+0x35/0xb0"]);
        Hung("syz-executor.1", 6002, ["__schedule+0xb6a/0x5960", "schedule+0xde/0x1b0", "rwsem_down_write_slowpath+0x3d1/0x1380",
            "down_write+0x1d2/0x200", "lock_rename+0x54/0x290", "do_renameat2+0x3b5/0x530", "do_syscall_64+0x35/0xb0"]);
        Hung("syz-executor.3", 6004, ["__schedule+0xb6a/0x5960", "schedule+0xde/0x1b0", "rwsem_down_read_slowpath+0x3d1/0x1380",
            "down_read+0x1d2/0x200", "lookup_slow+0x54/0x290", "walk_component+0x3b5/0x530", "do_syscall_64+0x35/0xb0"]);
        const string Dir = "(&type->i_mutex_dir_key#5){++++}-{4:4}", M = "(&m->lock){+.+.}-{4:4}";
        lines.AddRange([
            "", "Showing all locks held in the system:",
            "1 lock held by khungtaskd/28:", " #0: ffffffff8c791d80 (rcu_read_lock){....}-{1:2}, at: debug_show_all_locks+0x36/0x1c0",
            "2 locks held by syz-executor.0/6001:", $" #0: ffff888000001000 {Dir}, at: lookup_slow+0x54/0x290", $" #1: ffff888000009000 {M}, at: some_ioctl+0x93/0x3c0",
            "2 locks held by syz-executor.1/6002:", $" #0: ffff888000009000 {M}, at: other_ioctl+0x93/0x3c0", $" #1: ffff888000002000 {Dir}, at: lock_rename+0x54/0x290",
            "1 lock held by syz-executor.2/6003:", $" #0: ffff888000002000 {Dir}, at: lock_rename+0x54/0x290",
            "1 lock held by syz-executor.3/6004:", $" #0: ffff888000001000 {Dir}, at: lookup_slow+0x54/0x290",
            "", "=============================================",
        ]);
        return string.Concat(lines.Select((l, i) => $"[{(200 + i * 0.000731).ToString("F6", CultureInfo.InvariantCulture),12}][ T28] {l}\n"));
    }

    [Fact]
    public void A_waiter_is_held_up_by_the_holder_of_its_own_lock_not_of_another_lock_of_the_same_class()
    {
        var finding = Assert.Single(Analyze.Text(TwoDirectoryLocksReport()));
        var heldBy = finding.Chain.Where(e => e.Relation == Relation.HeldBy).ToDictionary(e => e.From.Id(), e => e.To.Id());
        Assert.Equal("task:6001", heldBy["lock:&type->i_mutex_dir_key#5@0xffff888000001000"]); // before: task:6003, the other inode's holder
        Assert.Equal("task:6002", heldBy["lock:&m->lock@0xffff888000009000"]);
        Assert.Equal("task:6003", heldBy["lock:&type->i_mutex_dir_key#5@0xffff888000002000"]);
        var waits = finding.Chain.Where(e => e.From is TaskNode && e.To is KernelLockNode).ToDictionary(e => e.From.Id(), e => e.To.Id());
        Assert.Equal("lock:&type->i_mutex_dir_key#5@0xffff888000001000", waits["task:6004"]);
        Assert.Equal("lock:&type->i_mutex_dir_key#5@0xffff888000002000", waits["task:6002"]);
        // One chain 6004 -> 6001 -> 6002 -> 6003: the root blocker is the running holder, and no cycle is made up.
        Assert.Contains("blocked behind syz-executor.2:6003", finding.Summary);
        Assert.Contains("lock &type->i_mutex_dir_key#5 at 0xffff888000001000", finding.Chain.Select(e => e.To.Label));
    }
}
