using System.Globalization;
using TraceForensics.Capture;
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
/// (stack, ppid, flags) are printed 0. A trace's stack names functions only: its frames are printed with offset and
/// size 0 (<c>func+0x0/0x0</c>, the form of the kernel's %pS that the reader takes), from <c>__schedule</c> on (the frames
/// of the tracepoint that took the stack are above it; the kernel's dump of a sleeping task starts at its switch).
/// Task names are untrusted: control characters are escaped; a name the trace did not know (<c>&lt;...&gt;</c>) is
/// read from /proc/PID/comm.</summary>
internal static class BlockedTasksDump
{
    public static List<string> Lines(ReplayState state, StackTable stacks, long nowNs, Func<int, IReadOnlyList<string>?>? procStack = null)
    {
        procStack ??= ProcStack;
        string time = KernelLogTail.Stamp(nowNs / 1000) + " ";
        var lines = new List<string> { time + "sysrq: Show Blocked State" };
        foreach (var t in state.Tasks.Blocked.OrderBy(t => t.Pid))
        {
            string pid = t.Pid.ToString(CultureInfo.InvariantCulture);
            string tgid = (t.Tgid >= 0 ? t.Tgid : t.Pid).ToString(CultureInfo.InvariantCulture);
            string comm = t.Comm is "" or "<...>" ? ProcComm(t.Pid) ?? t.Comm : t.Comm;
            lines.Add(UntrustedText.ForTerminal($"{time}task:{comm,-15} state:D stack:0     pid:{pid,-5} tgid:{tgid,-5} ppid:0      flags:0x00000000"));
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
        if (t.SleepStackId == 0) return [];
        var frames = stacks.Get(t.SleepStackId);
        int from = frames.IndexOf("__schedule");
        return frames.Skip(Math.Max(0, from)).Select(f => f.Contains('+') ? f : f + "+0x0/0x0").ToList();
    }

    private static string? ProcComm(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/comm").TrimEnd('\n'); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>The frames of /proc/PID/stack (<c>[&lt;0&gt;] func+0x1f/0x40</c> a line) without their address column;
    /// null when it cannot be read.</summary>
    private static IReadOnlyList<string>? ProcStack(int pid)
    {
        try
        {
            return StorageTopology.ProcStackFrames(File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stack"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
