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
                var label = e.Observed ? relation : $"{relation}\\n({Events.Model.UntrustedText.ForTerminal(e.Rule!.ToString())})";
                w.WriteLine($"    {Id(f, e.From)} -> {Id(f, e.To)} [label={Quote(label, keepNewlines: true)}{(e.Observed ? "" : ", style=dashed")}];");
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
    private static string Quote(string s, bool keepNewlines = false)
    {
        var b = new StringBuilder("\"");
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (keepNewlines && c == '\\' && i + 1 < s.Length && s[i + 1] == 'n') { b.Append("\\n"); i++; continue; }
            if (c is '"' or '\\') b.Append('\\');
            if (c < 0x20) continue;
            b.Append(c);
        }
        return b.Append('"').ToString();
    }
}
