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
                stderr.WriteLine($"tracefx: --at wants trace seconds as printed in the trace (e.g. 1250.919672), not '{UntrustedText.ForTerminal(parse.GetValue(at))}'");
                return Program.ExitUsageOrNoInput;
            }
            using var session = common.OpenSession(parse, stderr);
            if (session is null) return Program.ExitUsageOrNoInput;
            var engine = new ReplayEngine(session.Tables.Stacks, session.Limits);
            long events = 0;
            long lastNs = long.MinValue;
            bool pastEnd = true;
            while (session.Read(out var e))
            {
                if (e.TimestampNs > atNs) { pastEnd = false; break; }
                engine.Apply(e);
                lastNs = e.TimestampNs;
                events++;
            }
            engine.State.LimitsReached.DrainInto(session.Tables.Diagnostics, i => session.Inputs[i].Path);
            DiagnosticsPrinter.Print(session.Tables.Diagnostics, stderr);
            if (!session.AnyReadable) return Program.ExitUsageOrNoInput;
            if (pastEnd && atNs > lastNs)
                stderr.WriteLine(events == 0 ? "tracefx: the inputs hold no events: the state shown is empty"
                    : $"tracefx: --at {TraceTime.Format(atNs)} is past the end of the trace (last event at {TraceTime.Format(lastNs)}): the state shown is at its end");
            var snapshot = ReplaySnapshot.Of(engine.State) with { AtNs = atNs };
            if (!CommandOutput.Emit(parse.GetValue(output), stdout, stderr, CommandOutput.Text(w => Write(snapshot, events, w))))
                return Program.ExitUsageOrNoInput;
            return Program.ExitOk;
        });
        return command;
    }

    private static void Write(ReplaySnapshot s, long events, TextWriter w)
    {
        string Clean(string x) => UntrustedText.ForTerminal(x);
        void Section(string title, IReadOnlyCollection<string> lines, string more)
        {
            w.WriteLine($"\n{title} ({lines.Count}):");
            foreach (var line in lines.Take(ListLimit)) w.WriteLine(Clean($"  {line}"));
            if (more.Length > 0 && lines.Count > ListLimit) w.WriteLine($"  ... and {lines.Count - ListLimit} more {more}");
        }
        w.WriteLine($"state at {TraceTime.Format(s.AtNs)} after {events} events");
        Section("tasks in D", SnapshotText.BlockedTasks(s).Select(t => SnapshotText.BlockedTask(s, t)).ToList(), "");
        Section("page locks held", SnapshotText.PageLocks(s).ToList(), "");
        Section("pages under writeback", SnapshotText.WritebackRanges(s), "ranges");
        Section("bios being built or in flight", SnapshotText.Bios(s).ToList(), "");
        Section("devices", SnapshotText.Devices(s).ToList(), "");
    }
}
