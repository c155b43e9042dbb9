using System.Text;

namespace TraceForensics.Scenarios;

/// <summary>Writes every scenario into sample-traces/ three times, spliced into a real background capture: as ftrace text
/// (into xfs-fsync.ftrace.txt at 338.900000), as perf script (into xfs-fsync.perf-script-nostack.txt at
/// 392.400000) and as trace-cmd report (into xfs-fsync.trace-cmd-report.txt at 408.450000), plus the findings each must give. usage: TraceForensics.Scenarios [SAMPLE_TRACES_DIR]</summary>
public static class Program
{
    public const long FtraceStartUs = 338_900_000, PerfStartUs = 392_400_000, TraceCmdStartUs = 408_450_000;

    public static int Main(string[] args)
    {
        var dir = args.Length > 0 ? args[0] : "sample-traces";
        foreach (var (path, text) in Render(dir))
        {
            File.WriteAllText(path, text, new UTF8Encoding(false));
            Console.WriteLine(path);
        }
        return 0;
    }

    /// <summary>Every file the scenarios make: (path, content).</summary>
    public static IEnumerable<(string Path, string Text)> Render(string dir)
    {
        var ftraceBackground = File.ReadAllLines(Path.Combine(dir, "xfs-fsync.ftrace.txt"));
        var perfBackground = File.ReadAllLines(Path.Combine(dir, "xfs-fsync.perf-script-nostack.txt"));
        var traceCmdBackground = File.ReadAllLines(Path.Combine(dir, "xfs-fsync.trace-cmd-report.txt"));
        foreach (var s in LkmlScenarios.All)
        {
            yield return (Path.Combine(dir, $"{s.Name}.ftrace.txt"), Join(Splicer.Splice(ftraceBackground,
                s.Events.Select(e => (FtraceStartUs + e.OffsetUs, LineFormats.Ftrace(e, FtraceStartUs + e.OffsetUs).ToList())), perf: false)));
            yield return (Path.Combine(dir, $"{s.Name}.perf-script.txt"), Join(Splicer.Splice(perfBackground,
                s.Events.Select(e => (PerfStartUs + e.OffsetUs, LineFormats.PerfScript(e, PerfStartUs + e.OffsetUs).ToList())), perf: true)));
            yield return (Path.Combine(dir, $"{s.Name}.trace-cmd-report.txt"), Join(Splicer.Splice(traceCmdBackground,
                s.Events.Select(e => (TraceCmdStartUs + e.OffsetUs, LineFormats.TraceCmd(e, TraceCmdStartUs + e.OffsetUs).ToList())), perf: false)));
            if (s.Topology is { } topology) yield return (Path.Combine(dir, $"{s.Name}.topology.txt"), topology);
            yield return (Path.Combine(dir, $"{s.Name}.expected.txt"),
                $"# {s.Description}\n# Findings `tracefx analyze` must give, in rank order: kind, root (or -), the chain's nodes.\n" +
                string.Concat(s.ExpectedFindings.Select(f => f + "\n")));
        }
    }

    private static string Join(List<string> lines) => string.Join("\n", lines) + "\n";
}
