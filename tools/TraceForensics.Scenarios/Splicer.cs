using System.Globalization;
using System.Text.RegularExpressions;

namespace TraceForensics.Scenarios;

/// <summary>Splices scenario lines into a real background capture in time order. A background event keeps the
/// lines that follow it without a timestamp (its stack, a blank line ending a callchain) and its stack's own timed head
/// (ftrace's <c>&lt;stack trace&gt;</c>, trace-cmd's <c>kernel_stack: &lt;stack trace &gt;</c>); header lines stay on top.</summary>
public static partial class Splicer
{
    [GeneratedRegex(@"^\s*.+-\d+\s+(\(\s*[\d-]+\)\s+)?\[\d+\]\s+(\S+\s+)?(?<ts>\d+\.\d+): ")]
    private static partial Regex FtraceTime();

    [GeneratedRegex(@"^(?!\t) *\S.*\s\d+\s+\[\d+\]\s+(?<ts>\d+\.\d+):")]
    private static partial Regex PerfTime();

    public static List<string> Splice(IReadOnlyList<string> background, IEnumerable<(long Us, List<string> Lines)> scenario, bool perf)
    {
        var rx = perf ? PerfTime() : FtraceTime();
        var pending = new Queue<(long Us, List<string> Lines)>(scenario.OrderBy(s => s.Us));
        var output = new List<string>(background.Count + 64);
        foreach (var line in background)
        {
            var m = rx.Match(line);
            if (m.Success && !line.Contains("<stack trace", StringComparison.Ordinal))
            {
                long us = ParseUs(m.Groups["ts"].Value);
                while (pending.Count > 0 && pending.Peek().Us < us) output.AddRange(pending.Dequeue().Lines);
            }
            output.Add(line);
        }
        while (pending.Count > 0) output.AddRange(pending.Dequeue().Lines);
        return output;
    }

    private static long ParseUs(string ts)
    {
        var parts = ts.Split('.');
        var frac = parts[1].PadRight(6, '0')[..6];
        return long.Parse(parts[0], CultureInfo.InvariantCulture) * 1_000_000 + long.Parse(frac, CultureInfo.InvariantCulture);
    }
}
