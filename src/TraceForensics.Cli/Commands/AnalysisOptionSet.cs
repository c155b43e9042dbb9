using System.CommandLine;
using TraceForensics.Analysis;
using TraceForensics.Analysis.Findings;
using TraceForensics.Cli.Findings;
using TraceForensics.Cli.Output;
using TraceForensics.Events.Model;
using TraceForensics.Events.Reading;

namespace TraceForensics.Cli.Commands;

/// <summary>The options of the commands that analyse (analyze, report, tui): <c>--since --until --pid
/// --stall-threshold</c> change the findings and go to every front end alike (<see cref="Options"/>); <c>--fail-on
/// --quiet</c> are for the batch commands.</summary>
internal sealed class AnalysisOptionSet
{
    public Option<string> FailOn { get; } = new("--fail-on")
    {
        Description = "Exit 1 when a finding at or above this kind exists (none, potential, stall, deadlock)",
        DefaultValueFactory = _ => "deadlock",
    };
    public Option<string?> Since { get; } = new("--since") { Description = "Report findings from this trace time on (seconds, as printed in the trace)" };
    public Option<string?> Until { get; } = new("--until") { Description = "Stop the replay at this trace time" };
    public Option<int?> Pid { get; } = new("--pid")
    {
        Description = "Report only findings that involve this task",
        // A pid the kernel can give (below PID_MAX_LIMIT, include/linux/threads.h), in words a user understands.
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (Ingest.Formats.AsciiSpan.TryParsePid(System.Text.Encoding.ASCII.GetBytes(text), out int pid)) return pid;
            result.AddError($"--pid wants a task's pid (0 to {Ingest.Formats.AsciiSpan.PidMaxLimit - 1}), not '{text}'"); // sanitized where printed
            return null;
        },
    };
    public Option<double> Threshold { get; } = new("--stall-threshold") { Description = "Seconds a task must be blocked to be a stall", DefaultValueFactory = _ => 2.0 };
    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "No progress bar on stderr" };

    public AnalysisOptionSet() => FailOn.AcceptOnlyFromAmong("none", "potential", "stall", "deadlock");

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { FailOn, Since, Until, Pid, Threshold, Quiet }) command.Add(o);
    }

    /// <summary>Only the options that change findings (for the TUI).</summary>
    public void AddFindingOptionsTo(Command command)
    {
        foreach (var o in new Option[] { Since, Until, Pid, Threshold }) command.Add(o);
    }

    /// <summary>The analysis options the command line asks for; null (after a message) when one is malformed.</summary>
    public AnalysisOptions? Options(ParseResult parse, TextWriter stderr)
    {
        long? sinceNs = ParseTime(parse.GetValue(Since), stderr, "--since", out bool badSince);
        long? untilNs = ParseTime(parse.GetValue(Until), stderr, "--until", out bool badUntil);
        double threshold = parse.GetValue(Threshold);
        if (!(threshold >= 0 && threshold < 1e9))
        {
            stderr.WriteLine($"tracefx: --stall-threshold wants seconds (0 or more), not '{threshold}'");
            return null;
        }
        if (badSince || badUntil) return null;
        return new AnalysisOptions { StallThresholdNs = (long)(threshold * 1e9), SinceNs = sinceNs, UntilNs = untilNs, Pid = parse.GetValue(Pid) };
    }

    /// <summary>Replays the inputs and builds the report; null (after a message) when an option is malformed. Without
    /// <paramref name="hashes"/> (an output that prints no hash), the inputs' SHA-256 are left empty, not computed.</summary>
    public AnalysisReport? Run(ParseResult parse, TraceSession session, TextWriter stderr, bool hashes = true)
    {
        if (Options(parse, stderr) is not { } options) return null;
        using var progress = ProgressBar.For(session, stderr, quiet: parse.GetValue(Quiet));
        var result = TraceAnalysis.Run(session, options, progress: progress is null ? null : progress.Update);
        return new AnalysisReport
        {
            Inputs = result.Inputs,
            InputHashes = result.Inputs.Select(i => !hashes ? "" : i.Sha256 ?? AnalysisReport.Sha256Of(i.Path)).ToList(),
            Findings = result.Findings,
            Diagnostics = result.Diagnostics,
        };
    }

    /// <summary>The exit code for a finished run: 1 when a finding reaches --fail-on, else 3 when an input had error
    /// diagnostics (the finding outranks them: it is what a script waits for), else 0.</summary>
    public int ExitCode(ParseResult parse, AnalysisReport report)
    {
        if (report.Worst is FindingKind k && parse.GetValue(FailOn) switch
        {
            "none" => false,
            "potential" => k >= FindingKind.PotentialDeadlock,
            "stall" => k >= FindingKind.Stall,
            _ => k >= FindingKind.Deadlock,
        }) return Program.ExitFinding;
        return report.Diagnostics.Errors > 0 ? Program.ExitInputErrors : Program.ExitOk;
    }

    private static long? ParseTime(string? text, TextWriter stderr, string option, out bool bad)
    {
        bad = false;
        if (text is null) return null;
        if (TraceTime.TryParse(text, out long ns)) return ns;
        stderr.WriteLine($"tracefx: {option} wants trace seconds as printed in the trace (e.g. 1250.919672), not '{text}'"); // sanitized where printed
        bad = true;
        return null;
    }
}
