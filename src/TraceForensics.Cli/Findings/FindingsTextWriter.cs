using TraceForensics.Analysis;
using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Events.Model;

namespace TraceForensics.Cli.Findings;

/// <summary>Findings for people: the verdict first, then each finding with its chain drawn edge by edge in the
/// kernel's words, evidence marks ([observed] or [inferred: rule]) with trace lines, and short stacks.</summary>
public static class FindingsTextWriter
{
    private const int StackFrames = 20;

    public static void Write(AnalysisReport report, TextWriter w)
    {
        w.WriteLine($"verdict: {report.Verdict} ({report.Findings.Count} finding{(report.Findings.Count == 1 ? "" : "s")})");
        foreach (var input in report.Inputs)
            w.WriteLine(Clean($"input: {input.Path} ({Ingest.Formats.TraceFormatNames.Name(input.Format)}, {input.Events} events" +
                              (input.Rejection is null ? ")" : $", not read: {input.Rejection})")));
        foreach (var f in report.Findings)
        {
            w.WriteLine();
            w.WriteLine(Clean($"{f.Id} {f.Kind.Name()}{report.At(f)}: {f.Summary}"));
            if (f.Chain.Count > 0)
            {
                w.WriteLine("  chain:");
                foreach (var e in f.Chain)
                {
                    w.WriteLine(Clean($"    {RelationWords.Line(e)}"));
                    foreach (var l in e.Lines.Take(3))
                        w.WriteLine(Clean($"        {report.PathOf(l.Input)}:{l.Line} @{TraceTime.Format(l.TimestampNs)}"));
                }
            }
            foreach (var t in f.Tasks)
            {
                var hang = t.HangReport is { } h ? $", reported hung at {TraceTime.Format(h.TimestampNs)} ({report.PathOf(h.Input)}:{h.Line})" : "";
                if (t.ReportedBlockedSeconds is long secs) hang += $" after more than {secs} s";
                var since = report.Timeless ? "blocked" : t.SinceUnknown ? "blocked since before the trace shows" : $"blocked since {TraceTime.Format(t.BlockedSinceNs)}";
                w.WriteLine(Clean($"  task {t.Comm}:{t.Pid} {since} in {BlockedInText.Of(t)}{hang}"));
                if (t.Workqueue is { } wq) w.WriteLine(Clean($"    workqueue: {wq}"));
                if (!t.AlsoIn.IsDefaultOrEmpty) w.WriteLine(Clean($"    also in {string.Join(", ", t.AlsoIn)} (another blocked interval of the same task)"));
                foreach (var held in t.HeldLocks) w.WriteLine(Clean($"    holding: {held}"));
                var frames = t.Stack.Where(fr => !Replay.Tasks.StackReader.IsSchedulerFrame(fr)).ToList();
                foreach (var frame in frames.Take(StackFrames))
                    w.WriteLine(Clean($"      {frame}"));
                if (frames.Count > StackFrames) w.WriteLine($"      ... {frames.Count - StackFrames} more frames");
            }
        }
    }

    private static string Clean(string s) => UntrustedText.ForTerminal(s);
}
