using TraceForensics.Analysis;
using TraceForensics.Analysis.Findings;
using TraceForensics.Events.Reading;

namespace TraceForensics.Tests.Support;

/// <summary>Runs the analysis over files and gives findings, and their canonical signatures for comparison with
/// expected-findings files: <c>kind root-or-- node node ...</c> (a cycle starts at its smallest node).</summary>
public static class Analyze
{
    public static (IReadOnlyList<Finding> Findings, Analyzer Analyzer) Files(params string[] paths)
    {
        using var session = TraceSession.Open(paths);
        var analyzer = new Analyzer(session.Tables.Stacks);
        while (session.Read(out var e)) analyzer.Observe(e);
        return (analyzer.Finish(), analyzer);
    }

    public static string Signature(Finding f)
    {
        var nodes = f.Chain.Select(e => e.From).ToList();
        if (f.Kind is FindingKind.Deadlock or FindingKind.PotentialDeadlock)
        {
            int min = nodes.IndexOf(nodes.Min(StringComparer.Ordinal)!);
            nodes = nodes.Skip(min).Concat(nodes.Take(min)).ToList();
        }
        else if (f.Chain.Count > 0) nodes.Add(f.Chain[^1].To);
        return string.Join(" ", new[] { f.Kind.Name(), f.Root ?? "-" }.Concat(nodes));
    }

    public static List<string> ExpectedFindings(string expectedFile) =>
        File.ReadAllLines(expectedFile).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
}
