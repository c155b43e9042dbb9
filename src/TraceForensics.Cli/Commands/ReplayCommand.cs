using System.CommandLine;
using TraceForensics.Cli.Output;
using TraceForensics.Events.Model;
using TraceForensics.Replay;
using TraceForensics.Replay.Snapshots;
using TraceForensics.Replay.Tasks;

namespace TraceForensics.Cli.Commands;

/// <summary><c>tracefx replay &lt;input&gt;... --at T</c>: the state of tasks, pages, bios and devices at trace time T.</summary>
internal static class ReplayCommand
{
    private const int ListLimit = 40;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var common = new CommonOptions();
        var at = new Option<string>("--at") { Description = "Trace time (seconds, as printed in the trace)", Required = true };
        var output = CommonOptions.OutputFile();
        var command = new Command("replay", """
            The state of tasks, pages, bios and devices at a trace time.

            Examples:
              tracefx replay --at 338.9004 trace.txt     tasks in D and what they wait for, page locks held,
                                                         pages under writeback, bios not submitted or in flight
            """);
        common.AddTo(command);
        command.Add(at);
        command.Add(output);
        command.SetAction(parse =>
        {
            if (!TraceTime.TryParse(parse.GetValue(at)!, out long atNs))
            {
                stderr.WriteLine($"tracefx: --at wants trace seconds as printed in the trace (e.g. 1250.919672), not '{parse.GetValue(at)}'");
                return Program.ExitUsageOrNoInput;
            }
            using var session = common.OpenSession(parse);
            var engine = new ReplayEngine(session.Tables.Stacks);
            long events = 0;
            while (session.Read(out var e) && e.TimestampNs <= atNs)
            {
                engine.Apply(e);
                events++;
            }
            DiagnosticsPrinter.Print(session.Tables.Diagnostics, stderr);
            var snapshot = ReplaySnapshot.Of(engine.State) with { AtNs = atNs };
            if (!CommandOutput.Emit(parse.GetValue(output), stdout, stderr, CommandOutput.Text(w => Write(snapshot, events, engine.State, w))))
                return Program.ExitUsageOrNoInput;
            return session.AnyReadable ? Program.ExitOk : Program.ExitUsageOrNoInput;
        });
        return command;
    }

    /// <summary>Consecutive pages of one inode, started by one task into one bio, as one range.</summary>
    private static List<(PageSnapshot First, PageSnapshot Last)> PageRuns(List<PageSnapshot> pages)
    {
        var runs = new List<(PageSnapshot, PageSnapshot)>();
        foreach (var p in pages)
        {
            if (runs.Count > 0 && runs[^1].Item2 is var last && last.Key.Dev == p.Key.Dev && last.Key.Ino == p.Key.Ino
                && last.Key.Index + 1 == p.Key.Index && last.WritebackBy == p.WritebackBy && last.IoendId == p.IoendId)
                runs[^1] = (runs[^1].Item1, p);
            else runs.Add((p, p));
        }
        return runs;
    }

    private static void Write(ReplaySnapshot s, long events, ReplayState state, TextWriter w)
    {
        string Task(int pid) => state.Tasks.Get(pid) is { } t ? $"{t.Comm}:{pid}" : $"task {pid}";
        string Clean(string x) => UntrustedText.ForTerminal(x);
        string Secs(long ns) => TraceTime.Format(ns);

        w.WriteLine($"state at {Secs(s.AtNs)} after {events} events");
        var blocked = s.Tasks.Where(t => t.State == TaskRunState.Blocked).OrderBy(t => t.SinceNs).ToList();
        w.WriteLine($"\ntasks in D ({blocked.Count}):");
        foreach (var t in blocked.Take(ListLimit))
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
                t.HangReport is { } h ? $"reported hung at {Secs(h.TimestampNs)}" : null,
            }.Where(x => x is not null));
            w.WriteLine(Clean($"  {t.Comm}:{t.Pid} since {Secs(t.SinceNs)} ({(s.AtNs - t.SinceNs) / 1e9:0.000000} s) waits for {on}; in {t.BlockedIn ?? "?"}" +
                              (context.Length > 0 ? $" [{context}]" : "")));
        }
        var locked = s.Pages.Where(p => p.LockHolder is not null).ToList();
        w.WriteLine($"\npage locks held ({locked.Count}):");
        foreach (var p in locked.Take(ListLimit))
            w.WriteLine(Clean($"  page {p.Key.Dev} ino {p.Key.Ino} index {p.Key.Index} held by {Task(p.LockHolder!.Value)} [{(p.LockObserved ? "observed" : $"inferred: {p.LockRule}")}]"));
        var wb = s.Pages.Where(p => p.UnderWriteback).ToList();
        w.WriteLine($"\npages under writeback ({wb.Count}):");
        var runs = PageRuns(wb);
        foreach (var (first, last) in runs.Take(ListLimit))
            w.WriteLine(Clean($"  page {first.Key.Dev} ino {first.Key.Ino} index {first.Key.Index}" +
                              (last.Key.Index != first.Key.Index ? $"-{last.Key.Index}" : "") +
                              $" by {(first.WritebackBy is int b ? Task(b) : "?")}" + (first.IoendId is int id ? $" in bio #{id}" : "")));
        if (runs.Count > ListLimit) w.WriteLine($"  ... and {runs.Count - ListLimit} more ranges");
        w.WriteLine($"\nbios being built or in flight ({s.Ioends.Length}):");
        foreach (var io in s.Ioends.Take(ListLimit))
            w.WriteLine(Clean($"  #{io.Id} bio {io.Dev} sector {io.StartSector} + {io.Sectors} ({io.Pages} pages) built by {io.BuilderComm}:{io.BuilderPid}: " +
                              (io.Submitted is { } sub ? $"submitted at {Secs(sub.TimestampNs)}, not completed" : "NOT submitted")));
        w.WriteLine($"\ndevices ({s.Devices.Length}):");
        foreach (var d in s.Devices)
            w.WriteLine($"  {d.Dev}: {d.InFlight} bios in flight" +
                        (d.OldestQueued is { } o ? $", oldest queued at {Secs(o.TimestampNs)}" : "") +
                        (d.LastCompletion is { } c ? $", last completion at {Secs(c.TimestampNs)}" : ", no completion seen") +
                        $", {d.Completed} completions");
    }
}
