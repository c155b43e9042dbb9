using System.Text;
using TraceForensics.Analysis;
using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Events.Reading;
using TraceForensics.Ingest.Formats;

namespace TraceForensics.Tests.Support;

/// <summary>Runs the analysis through its one entry point (<see cref="TraceAnalysis.Run"/>) over files or text, and
/// gives findings and their canonical signatures for comparison with expected-findings files: <c>kind root-or--
/// node node ...</c> (a cycle starts at its smallest node).</summary>
public static class Analyze
{
    public static IReadOnlyList<Finding> Files(params string[] paths)
    {
        using var session = TraceSession.Open(paths);
        return TraceAnalysis.Run(session, new AnalysisOptions()).Findings;
    }

    /// <summary>Trace or log text as one input named "test".</summary>
    public static IReadOnlyList<Finding> Text(string text, TraceFormat format = TraceFormat.Unknown) => Result(text, format).Findings;

    public static AnalysisResult Result(string text, TraceFormat format = TraceFormat.Unknown, AnalysisOptions? options = null)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        using var session = TraceSession.Open([("test", () => (Stream)new MemoryStream(bytes))], new TraceSessionOptions { Format = format });
        return TraceAnalysis.Run(session, options ?? new AnalysisOptions());
    }

    public static string Signature(Finding f)
    {
        var nodes = f.Chain.Select(e => NodeId.Format(e.From)).ToList();
        if (f.Kind is FindingKind.Deadlock or FindingKind.PotentialDeadlock)
        {
            int min = nodes.IndexOf(nodes.Min(StringComparer.Ordinal)!);
            nodes = nodes.Skip(min).Concat(nodes.Take(min)).ToList();
        }
        else if (f.Chain.Count > 0) nodes.Add(NodeId.Format(f.Chain[^1].To));
        return string.Join(" ", new[] { f.Kind.Name(), f.Root is null ? "-" : NodeId.Format(f.Root) }.Concat(nodes));
    }

    public static List<string> ExpectedFindings(string expectedFile) =>
        File.ReadAllLines(expectedFile).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
}

/// <summary>Node, relation and rule ids as the findings contract writes them, for assertions.</summary>
public static class EdgeIds
{
    public static string Id(this WaitNode node) => NodeId.Format(node);
    public static string RelationId(this WaitEdge e) => RelationWords.IdOf(e);
    public static string? RuleId(this WaitEdge e) => e.Rule?.ToString();
}
