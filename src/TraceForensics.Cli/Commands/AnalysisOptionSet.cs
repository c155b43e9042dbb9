using System.CommandLine;
using TraceForensics.Analysis;
using TraceForensics.Analysis.Findings;
using TraceForensics.Cli.Findings;
using TraceForensics.Cli.Output;
using TraceForensics.Events.Model;
using TraceForensics.Events.Reading;

namespace TraceForensics.Cli.Commands;

/// <summary>The options of the commands that analyse (analyze, report): <c>--fail-on --since --until --pid
/// --stall-threshold --quiet</c>, and the run itself: replay with the detectors, then filter.</summary>
internal sealed class AnalysisOptionSet
{
    public Option<string> FailOn { get; } = new("--fail-on")
    {
        Description = "Exit 1 when a finding at or above this kind exists (none, potential, stall, deadlock)",
        DefaultValueFactory = _ => "deadlock",
    };
    public Option<string?> Since { get; } = new("--since") { Description = "Report findings from this trace time on (seconds, as printed in the trace)" };
    public Option<string?> Until { get; } = new("--until") { Description = "Stop the replay at this trace time" };
    public Option<int?> Pid { get; } = new("--pid") { Description = "Report only findings that involve this task" };
    public Option<double> Threshold { get; } = new("--stall-threshold") { Description = "Seconds a task must be blocked to be a stall", DefaultValueFactory = _ => 2.0 };
    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "No progress bar on stderr" };

    public AnalysisOptionSet() => FailOn.AcceptOnlyFromAmong("none", "potential", "stall", "deadlock");

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { FailOn, Since, Until, Pid, Threshold, Quiet }) command.Add(o);
    }

    /// <summary>Replays the inputs and builds the report; null (after a message) when an option is malformed.</summary>
    public AnalysisReport? Run(ParseResult parse, TraceSession session, TextWriter stderr)
    {
        long? sinceNs = ParseTime(parse.GetValue(Since), stderr, "--since", out bool badSince);
        long? untilNs = ParseTime(parse.GetValue(Until), stderr, "--until", out bool badUntil);
        if (badSince || badUntil) return null;
        var analyzer = new Analyzer(session.Tables.Stacks, new AnalysisOptions { StallThresholdNs = (long)(parse.GetValue(Threshold) * 1e9) });
        using var progress = ProgressBar.For(session, stderr, quiet: parse.GetValue(Quiet));
        long n = 0;
        while (session.Read(out var e))
        {
            if (untilNs is long u && e.TimestampNs > u) break;
            analyzer.Observe(e);
            if ((++n & 0xFFFF) == 0) progress?.Update(n);
        }
        IEnumerable<Finding> findings = analyzer.Finish();
        if (sinceNs is long sNs) findings = findings.Where(f => f.AtNs >= sNs);
        if (parse.GetValue(Pid) is int p)
            findings = findings.Where(f => f.Tasks.Any(t => t.Pid == p) || f.Chain.Any(e => e.From == $"task:{p}" || e.To == $"task:{p}"));
        return new AnalysisReport
        {
            Inputs = session.Inputs,
            InputHashes = session.Inputs.Select(i => AnalysisReport.Sha256Of(i.Path)).ToList(),
            Findings = findings.ToList(),
            State = analyzer.State,
            Diagnostics = session.Tables.Diagnostics,
        };
    }

    /// <summary>The exit code for a finished run: 1 when a finding reaches --fail-on, else 0.</summary>
    public int ExitCode(ParseResult parse, AnalysisReport report)
    {
        return report.Worst is FindingKind k && parse.GetValue(FailOn) switch
        {
            "none" => false,
            "potential" => k >= FindingKind.PotentialDeadlock,
            "stall" => k >= FindingKind.Stall,
            _ => k >= FindingKind.Deadlock,
        } ? Program.ExitFinding : Program.ExitOk;
    }

    private static long? ParseTime(string? text, TextWriter stderr, string option, out bool bad)
    {
        bad = false;
        if (text is null) return null;
        if (TraceTime.TryParse(text, out long ns)) return ns;
        stderr.WriteLine($"tracefx: {option} wants trace seconds as printed in the trace (e.g. 1250.919672), not '{UntrustedText.ForTerminal(text)}'");
        bad = true;
        return null;
    }
}
