namespace TraceForensics.Tests.Support;

/// <summary>The lines khungtaskd prints for one hung task, as in a syzkaller report of a 6.1 kernel
/// (kernel/hung_task.c check_hung_task, then sched_show_task's "task:" line and the stack), without the dmesg prefix.</summary>
public static class HungTaskLines
{
    public static IEnumerable<string> Of(string comm, int pid, IEnumerable<string> frames)
    {
        yield return $"INFO: task {comm}:{pid} blocked for more than 143 seconds.";
        yield return "      Not tainted 6.1.0-syzkaller #0";
        yield return "\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.";
        yield return $"task:{comm,-15} state:D stack:26000 pid:{pid,-5} ppid:4012   flags:0x00004004";
        yield return "Call Trace:";
        yield return " <TASK>";
        foreach (var f in frames) yield return " " + f;
        yield return " </TASK>";
    }
}
