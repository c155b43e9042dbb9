using System.Globalization;
using TraceForensics.Events.Model;
using TraceForensics.Replay;
using TraceForensics.Replay.Tasks;

namespace TraceForensics.Cli.Watch;

/// <summary>A <c>sysrq-w</c>-style dump of the tasks blocked now, as the kernel prints it (kernel/sched/core.c
/// show_state_filter(TASK_UNINTERRUPTIBLE): the line <c>sysrq: Show Blocked State</c>, then sched_show_task() of each
/// task in D: <c>task:COMM state:D stack:0 pid:N tgid:N ppid:0 flags:0x00000000</c>, <c>Call Trace:</c>,
/// <c> &lt;TASK&gt;</c>, a frame a line, <c> &lt;/TASK&gt;</c>), each line with a dmesg time, so that the kernel-log
/// reader reads it back as a report of each task. The stack is the trace's stack of the task's sleep, else
/// <c>/proc/PID/stack</c> when it can be read (proc(5); root only), else none. The fields the trace does not know
/// (stack, ppid, flags) are printed 0. Task names are untrusted: control characters are escaped.</summary>
internal static class BlockedTasksDump
{
    public static List<string> Lines(ReplayState state, StackTable stacks, long nowNs, Func<int, IReadOnlyList<string>?>? procStack = null)
    {
        procStack ??= ProcStack;
        string time = $"[{(nowNs / 1_000_000_000).ToString(CultureInfo.InvariantCulture),5}.{(nowNs % 1_000_000_000 / 1000).ToString("000000", CultureInfo.InvariantCulture)}] ";
        var lines = new List<string> { time + "sysrq: Show Blocked State" };
        foreach (var t in state.Tasks.Blocked.OrderBy(t => t.Pid))
        {
            string pid = t.Pid.ToString(CultureInfo.InvariantCulture);
            string tgid = (t.Tgid >= 0 ? t.Tgid : t.Pid).ToString(CultureInfo.InvariantCulture);
            lines.Add(time + UntrustedText.ForTerminal($"task:{t.Comm,-15} state:D stack:0     pid:{pid,-5} tgid:{tgid,-5} ppid:0      flags:0x00000000"));
            IReadOnlyList<string> frames = Frames(t, stacks) is { Count: > 0 } traced ? traced : procStack(t.Pid) ?? [];
            lines.Add(time + "Call Trace:");
            lines.Add(time + " <TASK>");
            foreach (var f in frames) lines.Add(time + " " + UntrustedText.ForTerminal(f));
            lines.Add(time + " </TASK>");
        }
        return lines;
    }

    private static IReadOnlyList<string> Frames(TaskRecord t, StackTable stacks)
    {
        int id = t.SleepStackId != 0 ? t.SleepStackId : 0;
        return id == 0 ? [] : stacks.Get(id);
    }

    /// <summary>The frames of /proc/PID/stack (<c>[&lt;0&gt;] func+0x1f/0x40</c> a line) without their address column;
    /// null when it cannot be read.</summary>
    private static IReadOnlyList<string>? ProcStack(int pid)
    {
        try
        {
            var frames = new List<string>();
            foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stack"))
            {
                int close = line.IndexOf(">]", StringComparison.Ordinal);
                var frame = (close >= 0 ? line[(close + 2)..] : line).Trim();
                if (frame.Length > 0) frames.Add(frame);
            }
            return frames;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
