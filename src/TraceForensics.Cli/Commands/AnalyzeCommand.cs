using System.CommandLine;
using System.Security.Cryptography;
using TraceForensics.Analysis;
using TraceForensics.Analysis.Findings;
using TraceForensics.Cli.Findings;
using TraceForensics.Cli.Output;
using TraceForensics.Events.Model;

namespace TraceForensics.Cli.Commands;

/// <summary><c>tracefx analyze &lt;input&gt;... [--format text|json] [-o FILE] [--fail-on ...] [--since T] [--until T] [--pid N]</c>.</summary>
internal static class AnalyzeCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var common = new CommonOptions();
        var format = CommonOptions.TextOrJson();
        var output = CommonOptions.OutputFile();
        var failOn = new Option<string>("--fail-on") { Description = "Exit 1 when a finding at or above this kind exists", DefaultValueFactory = _ => "deadlock" };
        failOn.AcceptOnlyFromAmong("none", "potential", "stall", "deadlock");
        var since = new Option<string?>("--since") { Description = "Report findings from this trace time on (seconds, as printed in the trace)" };
        var until = new Option<string?>("--until") { Description = "Stop the replay at this trace time" };
        var pid = new Option<int?>("--pid") { Description = "Report only findings that involve this task" };
        var threshold = new Option<double>("--stall-threshold") { Description = "Seconds a task must be blocked to be a stall", DefaultValueFactory = _ => 2.0 };

        var command = new Command("analyze", "Replay the trace and report deadlocks, stalls, hung-task chains and notes");
        common.AddTo(command);
        foreach (var o in new Option[] { format, output, failOn, since, until, pid, threshold }) command.Add(o);
        command.SetAction(parse =>
        {
            long? sinceNs = ParseTime(parse.GetValue(since), stderr, "--since", out bool badSince);
            long? untilNs = ParseTime(parse.GetValue(until), stderr, "--until", out bool badUntil);
            if (badSince || badUntil) return Program.ExitUsageOrNoInput;

            using var session = common.OpenSession(parse);
            var analyzer = new Analyzer(session.Tables.Stacks, new AnalysisOptions
            {
                StallThresholdNs = (long)(parse.GetValue(threshold) * 1e9),
            });
            while (session.Read(out var e))
            {
                if (untilNs is long u && e.TimestampNs > u) break;
                analyzer.Observe(e);
            }
            IEnumerable<Finding> findings = analyzer.Finish();
            if (sinceNs is long sNs) findings = findings.Where(f => f.AtNs >= sNs);
            if (parse.GetValue(pid) is int p) findings = findings.Where(f => f.Tasks.Any(t => t.Pid == p) || f.Chain.Any(e => e.From == $"task:{p}" || e.To == $"task:{p}"));
            var report = new AnalysisReport
            {
                Inputs = session.Inputs,
                InputHashes = session.Inputs.Select(i => Sha256(i.Path)).ToList(),
                Findings = findings.ToList(),
                State = analyzer.State,
                Diagnostics = session.Tables.Diagnostics,
            };
            DiagnosticsPrinter.Print(session.Tables.Diagnostics, stderr);
            bool json = parse.GetValue(format) == "json";
            CommandOutput.Emit(parse.GetValue(output), stdout,
                json ? s => FindingsJsonWriter.Write(report, s) : CommandOutput.Text(w => FindingsTextWriter.Write(report, w)));
            if (!session.AnyReadable) return Program.ExitUsageOrNoInput;
            return Fails(report.Worst, parse.GetValue(failOn)!) ? Program.ExitFinding : Program.ExitOk;
        });
        return command;
    }

    private static bool Fails(FindingKind? worst, string failOn) => worst is FindingKind k && failOn switch
    {
        "none" => false,
        "potential" => k >= FindingKind.PotentialDeadlock,
        "stall" => k >= FindingKind.Stall,
        _ => k >= FindingKind.Deadlock,
    };

    private static long? ParseTime(string? text, TextWriter stderr, string option, out bool bad)
    {
        bad = false;
        if (text is null) return null;
        if (TraceTime.TryParse(text, out long ns)) return ns;
        stderr.WriteLine($"tracefx: {option} wants trace seconds as printed in the trace (e.g. 1250.919672), not '{text}'");
        bad = true;
        return null;
    }

    private static string Sha256(string path)
    {
        if (path == "-" || !File.Exists(path)) return "";
        using var f = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(f));
    }
}
