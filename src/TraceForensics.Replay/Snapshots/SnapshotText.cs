using TraceForensics.Events.Model;
using TraceForensics.Replay.Tasks;

namespace TraceForensics.Replay.Snapshots;

/// <summary>The state at one time in the kernel's words, one line per task, page lock, writeback range, bio, plug
/// and device: what <c>tracefx replay --at</c> prints and the TUI's pages-and-bios view shows. Lines are not yet
/// cleaned of control characters (the writer does that for its medium).</summary>
public static class SnapshotText
{
    public static IEnumerable<TaskSnapshot> BlockedTasks(ReplaySnapshot s) =>
        s.Tasks.Where(t => t.State == TaskRunState.Blocked).OrderBy(t => t.SinceNs);

    /// <summary>A blocked task: since when, what it waits for, where, and the context it holds.</summary>
    public static string BlockedTask(ReplaySnapshot s, TaskSnapshot t)
    {
        var on = t.Waiting switch
        {
            WaitKind.PageWriteback when t.WaitPage is { } p => $"writeback of page {p.Dev} ino {p.Ino} index {p.Index}",
            WaitKind.PageLock when t.WaitPage is { } p => $"lock of page {p.Dev} ino {p.Ino} index {p.Index}",
            WaitKind.KernelLock when t.WaitLock is { } a => $"lock 0x{a:x}",
            _ => $"? (stack: {t.BlockedIn ?? "none"})",
        };
        var context = string.Join(", ", new[]
        {
            t.InReclaim ? "in reclaim" : null,
            t.FaultPage is { } f ? $"faulted page {f.Dev} ino {f.Ino} index {f.Index}" : null,
            t.HangReport is { } h ? $"reported hung at {TraceTime.Format(h.TimestampNs)}" : null,
        }.Where(x => x is not null));
        return $"{t.Comm}:{t.Pid} since {TraceTime.Format(t.SinceNs)} ({(s.AtNs - t.SinceNs) / 1e9:0.000000} s) waits for {on}; in {t.BlockedIn ?? "?"}" +
               (context.Length > 0 ? $" [{context}]" : "");
    }

    public static IEnumerable<string> PageLocks(ReplaySnapshot s) =>
        s.Pages.Where(p => p.LockHolder is not null).Select(p =>
            $"page {p.Key.Dev} ino {p.Key.Ino} index {p.Key.Index} held by {s.TaskName(p.LockHolder!.Value)} [{(p.LockObserved ? "observed" : $"inferred: {p.LockRule}")}]");

    /// <summary>Pages under writeback as ranges: consecutive pages of one inode, started by one task into one bio.</summary>
    public static List<string> WritebackRanges(ReplaySnapshot s)
    {
        var runs = new List<(PageSnapshot First, PageSnapshot Last)>();
        foreach (var p in s.Pages.Where(p => p.UnderWriteback))
        {
            if (runs.Count > 0 && runs[^1].Last is var last && last.Key.Dev == p.Key.Dev && last.Key.Ino == p.Key.Ino
                && last.Key.Index + 1 == p.Key.Index && last.WritebackBy == p.WritebackBy && last.IoendId == p.IoendId)
                runs[^1] = (runs[^1].First, p);
            else runs.Add((p, p));
        }
        return runs.Select(r => $"page {r.First.Key.Dev} ino {r.First.Key.Ino} index {r.First.Key.Index}" +
                                (r.Last.Key.Index != r.First.Key.Index ? $"-{r.Last.Key.Index}" : "") +
                                $" by {(r.First.WritebackBy is int b ? s.TaskName(b) : "?")}" + (r.First.IoendId is int id ? $" in bio #{id}" : "")).ToList();
    }

    public static IEnumerable<string> Bios(ReplaySnapshot s) =>
        s.Ioends.Select(io => $"#{io.Id} bio {io.Dev} sector {io.StartSector} + {io.Sectors} ({io.Pages} pages) built by {io.BuilderComm}:{io.BuilderPid}: " +
                              (io.Submitted is { } sub ? $"submitted at {TraceTime.Format(sub.TimestampNs)}, not completed" : "NOT submitted"));

    public static IEnumerable<string> Plugs(ReplaySnapshot s) =>
        s.Plugs.Select(p => $"plug held by {s.TaskName(p.Pid)} since {TraceTime.Format(p.Line.TimestampNs)}");

    public static IEnumerable<string> Devices(ReplaySnapshot s) =>
        s.Devices.Select(d => $"{d.Dev}: {d.InFlight} bios in flight" + (d.Plugged > 0 ? $" ({d.Plugged} plugged)" : "") +
                              (d.OldestQueued is { } o ? $", oldest queued at {TraceTime.Format(o.TimestampNs)}" : "") +
                              (d.LastCompletion is { } c ? $", last completion at {TraceTime.Format(c.TimestampNs)}" : ", no completion seen") +
                              $", {d.Completed} completions");
}
