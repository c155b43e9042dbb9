using TraceForensics.Analysis.Dotnet;
using TraceForensics.Dotnet;
using TraceForensics.Events.Managed;
using TraceForensics.Events.Reading;
using TraceForensics.Ingest.Diagnostics;

namespace TraceForensics.Cli.Findings;

/// <summary>The report of a .NET process (a dump or a live attach), in the same shape as a trace's.</summary>
internal static class DotnetReport
{
    /// <summary>A createdump core; null (after a message) when it cannot be read.</summary>
    public static AnalysisReport? FromDump(string path, TextWriter stderr) =>
        Build(DotnetDumpReader.ReadDump(path, out var why), path, why, stderr);

    /// <summary>A live process, attached suspended and detached; null (after a message) when it cannot be read.</summary>
    public static AnalysisReport? FromLiveProcess(int pid, TextWriter stderr) =>
        Build(DotnetDumpReader.ReadLive(pid, out var why), $"pid {pid}", why, stderr);

    private static AnalysisReport? Build(ManagedProcess? process, string source, string? why, TextWriter stderr)
    {
        if (process is null)
        {
            stderr.WriteLine(Events.Model.UntrustedText.ForTerminal($"tracefx: cannot read {source} as a .NET process: {why}"));
            return null;
        }
        var diagnostics = new DiagnosticLog();
        foreach (var d in process.Diagnostics) diagnostics.Report(source, 0, DiagnosticSeverity.Warning, DiagnosticCodes.UnsupportedFormat, d);
        var findings = ManagedAnalysis.Analyze(process);
        return new AnalysisReport
        {
            Inputs = [InputSummary.ForDump(source, process.Threads.Count)],
            InputHashes = [AnalysisReport.Sha256Of(source)],
            Findings = findings,
            Diagnostics = diagnostics,
        };
    }
}
