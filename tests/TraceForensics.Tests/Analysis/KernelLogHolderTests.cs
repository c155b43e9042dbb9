using TraceForensics.Analysis.Findings;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Analysis;

/// <summary>Holders from the evidence a log gives beyond hung-task reports: a sysrq-w dump read as reports (with
/// "Showing all locks held" a closed chain is a deadlock), and the lockdep report kinds the syzkaller corpus lacks
/// (irq inversion, inconsistent lock state), which give potential-deadlock findings only. The texts are constructed
/// from the kernel's printk formats (cited at each), not taken from a capture.</summary>
public class KernelLogHolderTests
{
    /// <summary>drivers/tty/sysrq.c: "sysrq: Show Blocked State" (action_msg of the 'w' key), then kernel/sched/core.c
    /// show_state_filter(TASK_UNINTERRUPTIBLE): sched_show_task() of every D task; debug_show_all_locks()
    /// (kernel/locking/lockdep.c) after it. Two tasks in an ABBA on two mutexes: each holds one and waits for the other
    /// (the awaited lock is the last of a list: lockdep records it before the task sleeps).</summary>
    private const string SysrqAbba = """
        [  500.000000] sysrq: Show Blocked State
        [  500.000010] task:worker_a        state:D stack:0     pid:101   tgid:101   ppid:1      flags:0x00004000
        [  500.000020] Call Trace:
        [  500.000021]  <TASK>
        [  500.000022]  __schedule+0x3dc/0xf60
        [  500.000023]  schedule+0x23/0xa0
        [  500.000024]  schedule_preempt_disabled+0x15/0x30
        [  500.000025]  __mutex_lock+0x75f/0xeb0
        [  500.000026]  dev_b_update+0x30/0x90 [demo]
        [  500.000027]  dev_a_ioctl+0x50/0x120 [demo]
        [  500.000028]  </TASK>
        [  500.000030] task:worker_b        state:D stack:0     pid:102   tgid:102   ppid:1      flags:0x00004000
        [  500.000040] Call Trace:
        [  500.000041]  <TASK>
        [  500.000042]  __schedule+0x3dc/0xf60
        [  500.000043]  schedule+0x23/0xa0
        [  500.000044]  schedule_preempt_disabled+0x15/0x30
        [  500.000045]  __mutex_lock+0x75f/0xeb0
        [  500.000046]  dev_a_update+0x30/0x90 [demo]
        [  500.000047]  dev_b_ioctl+0x50/0x120 [demo]
        [  500.000048]  </TASK>
        [  500.000050] Showing all locks held in the system:
        [  500.000060] 2 locks held by worker_a/101:
        [  500.000061]  #0: ffff888100000a00 (&demo->lock_a){+.+.}-{4:4}, at: dev_a_ioctl+0x20/0x120 [demo]
        [  500.000062]  #1: ffff888100000b00 (&demo->lock_b){+.+.}-{4:4}, at: dev_b_update+0x10/0x90 [demo]
        [  500.000070] 2 locks held by worker_b/102:
        [  500.000071]  #0: ffff888100000b00 (&demo->lock_b){+.+.}-{4:4}, at: dev_b_ioctl+0x20/0x120 [demo]
        [  500.000072]  #1: ffff888100000a00 (&demo->lock_a){+.+.}-{4:4}, at: dev_a_update+0x10/0x90 [demo]
        [  500.000080] =============================================
        """;

    [Fact]
    public void A_sysrq_w_dump_with_the_held_locks_is_a_deadlock_citing_both_holders()
    {
        var findings = Analyze.Text(SysrqAbba);
        var deadlock = Assert.Single(findings, f => f.Kind == FindingKind.Deadlock);
        Assert.Equal([101, 102], deadlock.Tasks.Select(t => t.Pid).Order());
        Assert.All(deadlock.Tasks, t => Assert.Null(t.ReportedBlockedSeconds)); // a dump says D, not for how long
        Assert.Equal("dev_b_update", deadlock.Tasks.Single(t => t.Pid == 101).BlockedIn);
        Assert.Contains(deadlock.Chain, e => e.RuleId() == "held-locks-list");
    }

    [Fact]
    public void A_sysrq_w_dump_in_the_old_task_line_form_is_read_too()
    {
        // kernels before 5.14 print "comm state stack pid ppid flags" (sched_show_task())
        var old = SysrqAbba.Replace("task:worker_a        state:D stack:0     pid:101   tgid:101   ppid:1      flags:0x00004000", "worker_a        D    0   101      1 0x00004000")
                           .Replace("task:worker_b        state:D stack:0     pid:102   tgid:102   ppid:1      flags:0x00004000", "worker_b        D    0   102      1 0x00004000")
                           .Replace("sysrq: Show Blocked State", "SysRq : Show Blocked State");
        var deadlock = Assert.Single(Analyze.Text(old), f => f.Kind == FindingKind.Deadlock);
        Assert.Equal([101, 102], deadlock.Tasks.Select(t => t.Pid).Order());
    }

    /// <summary>kernel/locking/lockdep.c print_irq_inversion_bug(), forwards ("took another") and backwards ("was taken
    /// by another").</summary>
    [Theory]
    [InlineData("but this lock took another, HARDIRQ-unsafe lock in the past:", "&host->lock", "&trig->leddev_list_lock")]
    [InlineData("but this lock was taken by another, HARDIRQ-safe lock in the past:", "&trig->leddev_list_lock", "&host->lock")]
    public void An_irq_lock_inversion_report_is_a_potential_deadlock(string direction, string held, string wanted)
    {
        var log = $$"""
            [   10.000000] ========================================================
            [   10.000001] WARNING: possible irq lock inversion dependency detected
            [   10.000002] 6.1.0 #1 Not tainted
            [   10.000003] --------------------------------------------------------
            [   10.000004] swapper/0/0 just changed the state of lock:
            [   10.000005] ffff888100001000 (&host->lock){-...}-{2:2}, at: ata_bmdma_interrupt+0x20/0x300
            [   10.000006] {{direction}}
            [   10.000007]  (&trig->leddev_list_lock){.+.?}-{2:2}
            [   10.000008]
            [   10.000009] and interrupts could create inverse lock ordering between them.
            [   10.000010]
            [   10.000011] other info that might help us debug this:
            """;
        var f = Assert.Single(Analyze.Text(log));
        Assert.Equal(FindingKind.PotentialDeadlock, f.Kind);
        Assert.Contains("irq lock inversion", f.Summary);
        Assert.Contains(f.Chain, e => e.From.Id() == $"lock:{held}" && e.To.Id() == $"lock:{wanted}");
    }

    /// <summary>kernel/locking/lockdep.c print_usage_bug(): one class, taken in an interrupt that can come while a holder
    /// of it has that interrupt enabled.</summary>
    [Fact]
    public void An_inconsistent_lock_state_report_is_a_potential_deadlock_on_its_class()
    {
        const string log = """
            [   20.000000] ================================
            [   20.000001] WARNING: inconsistent lock state
            [   20.000002] 6.1.0 #1 Not tainted
            [   20.000003] --------------------------------
            [   20.000004] inconsistent {SOFTIRQ-ON-W} -> {IN-SOFTIRQ-W} usage.
            [   20.000005] swapper/1/0 [HC0[0]:SC1[1]:HE1:SE0] takes:
            [   20.000006] ffff888100002000 (&sk->sk_lock.slock){+.?.}-{2:2}, at: tcp_v4_rcv+0x10/0x200
            [   20.000007] {SOFTIRQ-ON-W} state was registered at:
            [   20.000008]   lock_acquire+0x1/0x2
            [   20.000009] irq event stamp: 1234
            [   20.000010]
            [   20.000011] other info that might help us debug this:
            """;
        var f = Assert.Single(Analyze.Text(log));
        Assert.Equal(FindingKind.PotentialDeadlock, f.Kind);
        Assert.Contains("inconsistent lock state", f.Summary);
        Assert.Contains("(&sk->sk_lock.slock)", f.Summary);
        Assert.Equal(0, Assert.Single(f.Tasks).Pid);
    }
}
