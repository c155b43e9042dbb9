using System.Reflection;
using TraceForensics.Analysis.Findings;
using TraceForensics.Cli.Findings;
using TraceForensics.Events.Model;
using TraceForensics.Replay.Evidence;

namespace TraceForensics.Cli.Reports;

/// <summary>What every export needs: the analysis, the text of the evidence lines, the tool's version, and names
/// in the kernel's words with control characters made visible.</summary>
internal sealed class ReportContext(AnalysisReport report, Dictionary<(int Input, long Line), string> evidence)
{
    public AnalysisReport Report { get; } = report;

    public static string Version { get; } =
        typeof(ReportContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";

    public static ReportContext Build(AnalysisReport report) =>
        new(report, EvidenceLines.Fetch(report.Inputs, report.Findings.SelectMany(f => f.Chain).SelectMany(e => e.Lines)));

    /// <summary>A node in the kernel's words, safe for any output.</summary>
    public static string Node(Analysis.Graph.WaitNode node) => UntrustedText.ForTerminal(node.Label);

    /// <summary>"path:line" of an evidence line.</summary>
    public string Where(EvidenceLine l) => UntrustedText.ForTerminal($"{Report.PathOf(l.Input)}:{l.Line}");

    /// <summary>The trace line's text, when it could be read back.</summary>
    public string? Text(EvidenceLine l) => RawText(l) is { } t ? UntrustedText.ForTerminal(t) : null;

    /// <summary>"path:line" and the trace line as read, for a writer that sanitizes every cell itself (csv).</summary>
    public string RawWhere(EvidenceLine l) => $"{Report.PathOf(l.Input)}:{l.Line}";
    public string? RawText(EvidenceLine l) => evidence.TryGetValue((l.Input, l.Line), out var t) ? t : null;


    public static string Task(FindingTask t) => UntrustedText.ForTerminal($"{t.Comm}/{t.Pid}");

    /// <summary>Where the task is blocked (a function from its stack, or why syzkaller would not title it), safe for any output.</summary>
    public static string BlockedIn(FindingTask t) => UntrustedText.ForTerminal(BlockedInText.Of(t));

    /// <summary>Stack frames worth reading (scheduler and tracing frames left out).</summary>
    public static IEnumerable<string> Frames(FindingTask t, int max = 24) =>
        t.Stack.Where(f => !Replay.Tasks.StackReader.IsSchedulerFrame(f)).Take(max).Select(UntrustedText.ForTerminal);
}
