using TraceForensics.Events.Model;
using TraceForensics.Replay;
using TraceForensics.Replay.Tasks;

namespace TraceForensics.Tui;

/// <summary>The tasks view's lines at a moment of the replay: blocked tasks first (longest first), then the most
/// recently active, each with its timeline strip, state, what it waits on and whether it is in reclaim. Used at the
/// time cursor and, while the trace loads, at the point the load has reached.</summary>
public static class TaskLines
{
    public const int Max = 200;

    /// <summary>The first <paramref name="max"/> lines (at most <see cref="Max"/>).</summary>
    public static List<(int Pid, string Line)> Of(ReplayState state, long now, Func<int, string> strip, int max = Max)
    {
        var lines = new List<(int, string)>();
        var interesting = state.Tasks.Tasks.Where(t => t.Pid != 0 && t.State != TaskRunState.Unknown)
            .OrderBy(t => t.State == TaskRunState.Blocked ? 0 : 1).ThenBy(t => t.State == TaskRunState.Blocked ? t.StateSinceNs : -t.LastSeenNs)
            .ThenBy(t => t.Pid).Take(Math.Clamp(max, 1, Max));
        foreach (var t in interesting)
        {
            var state1 = t.State switch
            {
                TaskRunState.Blocked => $"D {(now - t.StateSinceNs) / 1e6:0.000} ms",
                TaskRunState.Running => "running",
                TaskRunState.Runnable => "runnable",
                TaskRunState.Sleeping => "S",
                _ => t.State.ToString().ToLowerInvariant(),
            };
            var waits = t.Wait is { Page: { } p } w ? $" waits for {(w.Kind == WaitKind.PageLock ? "lock" : "writeback")} of page {p.Dev} ino {p.Ino} index {p.Index}" : "";
            var reclaim = t.ReclaimDepth > 0 ? " (in reclaim)" : "";
            lines.Add((t.Pid, UntrustedText.ForTerminal($"{strip(t.Pid)} {t.Comm}:{t.Pid} {state1}{waits}{reclaim}")));
        }
        return lines;
    }
}
