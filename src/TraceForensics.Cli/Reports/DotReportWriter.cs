using System.Text;
using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;

namespace TraceForensics.Cli.Reports;

/// <summary>Graphviz: one cluster per finding with its wait-for graph; observed edges solid, inferred ones dashed
/// and labelled with their rule; tasks are boxes, objects (pages, bios, devices, locks) ellipses.</summary>
internal static class DotReportWriter
{
    public static void Write(ReportContext ctx, TextWriter w)
    {
        w.WriteLine("digraph traceforensics {");
        w.WriteLine("  rankdir=LR;");
        w.WriteLine("  node [fontname=\"Helvetica\", fontsize=10];");
        w.WriteLine("  edge [fontname=\"Helvetica\", fontsize=9];");
        foreach (var f in ctx.Report.Findings.Where(f => f.Chain.Count > 0))
        {
            w.WriteLine($"  subgraph \"cluster_{f.Id}\" {{");
            w.WriteLine($"    label={Quote($"{f.Id} {f.Kind.Name()}: {Shorten(Events.Model.UntrustedText.ForTerminal(f.Summary), 120)}")};");
            foreach (var node in f.Chain.SelectMany(e => new[] { e.From, e.To }).Distinct())
            {
                var shape = node is TaskNode ? "box" : "ellipse";
                w.WriteLine($"    {Id(f, node)} [label={Quote(ReportContext.Node(node))}, shape={shape}];");
            }
            foreach (var e in f.Chain)
            {
                var relation = Events.Model.UntrustedText.ForTerminal(RelationWords.IdOf(e));
                // The line break is DOT's own "\n" between two quoted parts: never read out of (escaped) trace text.
                var label = e.Observed ? Quote(relation) : $"{Quote(relation)[..^1]}\\n{Quote($"({Events.Model.UntrustedText.ForTerminal(e.Rule!.ToString())})")[1..]}";
                w.WriteLine($"    {Id(f, e.From)} -> {Id(f, e.To)} [label={label}{(e.Observed ? "" : ", style=dashed")}];");
            }
            w.WriteLine("  }");
        }
        w.WriteLine("}");
    }

    private static string Id(Finding f, WaitNode node) => Quote($"{f.Id}/{Events.Model.UntrustedText.ForTerminal(NodeId.Format(node))}");

    private static string Shorten(string s, int max)
    {
        if (s.Length <= max) return s;
        int cut = max - 3;
        if (char.IsHighSurrogate(s[cut - 1])) cut--; // never split a surrogate pair
        return s[..cut] + "...";
    }

    /// <summary>A DOT string: quotes and backslashes escaped, control characters (already visible as \xNN) kept out.</summary>
    private static string Quote(string s)
    {
        var b = new StringBuilder("\"");
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c is '"' or '\\') b.Append('\\');
            if (c < 0x20) continue;
            b.Append(c);
        }
        return b.Append('"').ToString();
    }
}
