using System.Globalization;

namespace TraceForensics.Tests.Triage;

/// <summary>Hung-task reports in the kernel's format (kernel/hung_task.c check_hung_task, sched_show_task), the same
/// root cause with what differs between machines changed: pids, addresses, offsets, times, a kworker's number.</summary>
internal static class HungReports
{
    /// <summary>A task blocked on a mutex, with the holder the report names ("blocked on a mutex likely owned by
    /// task", kernel/hung_task.c debug_show_blocker) itself blocked in <paramref name="holderIn"/>.</summary>
    public static string MutexChain(int seed, string waiterIn = "tty_release", string holderIn = "tty_port_close")
    {
        var r = new Random(seed);
        int waiter = r.Next(100, 400000), holder = r.Next(100, 400000);
        double t = 100 + r.Next(0, 100000) / 7.0;
        string Ts(int i) => $"[{(t + i * 0.000013).ToString("F6", CultureInfo.InvariantCulture),12}]";
        string Off() => $"+0x{r.Next(1, 0x2000):x}/0x{r.Next(0x2000, 0x8000):x}";
        string addr = $"ffff{r.NextInt64(0x10000000000, 0xfffffffffff):x}";
        string kworker = $"kworker/{r.Next(0, 64)}:{r.Next(0, 9)}";
        var lines = new[]
        {
            $"INFO: task syz-executor.{r.Next(0, 9)}:{waiter} blocked for more than {r.Next(120, 600)} seconds.",
            "      Not tainted 6.8.0-rc1 #1",
            "\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.",
            $"task:syz-executor.{r.Next(0, 9)} state:D stack:25960 pid:{waiter} tgid:{waiter} ppid:{r.Next(2, 9999)} flags:0x00004006",
            "Call Trace:",
            " <TASK>",
            $" __schedule{Off()}",
            $" schedule{Off()}",
            $" schedule_preempt_disabled{Off()}",
            $" __mutex_lock{Off()}",
            $" {waiterIn}{Off()}",
            $" __fput{Off()}",
            $" task_work_run{Off()}",
            $" do_syscall_64{Off()}",
            " </TASK>",
            $"INFO: task syz-executor.{waiter % 9}:{waiter} is blocked on a mutex likely owned by task {kworker}:{holder}.",
            $"task:{kworker} state:D stack:27000 pid:{holder} tgid:{holder} ppid:2 flags:0x00004000",
            "Call Trace:",
            " <TASK>",
            $" __schedule{Off()}",
            $" schedule{Off()}",
            $" schedule_timeout{Off()}",
            $" __wait_for_common{Off()}",
            $" {holderIn}{Off()}",
            $" process_one_work{Off()}",
            $" worker_thread{Off()}",
            $" kthread{Off()}",
            " </TASK>",
            $"1 lock held by {kworker}/{holder}:",
            $" #0: {addr} (&tty->legacy_mutex){{+.+.}}-{{4:4}}, at: {holderIn}{Off()}",
        };
        return string.Join("\n", lines.Select((l, i) => $"{Ts(i)} {l}")) + "\n";
    }
}
