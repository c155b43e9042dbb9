using TraceForensics.Analysis.Dotnet;
using TraceForensics.Events.Reading;
using TraceForensics.Ingest.Diagnostics;
using TraceForensics.Ingest.Dotnet;

namespace TraceForensics.Cli.Findings;

/// <summary>The report of a .NET process (a dump or a live attach), in the same shape as a trace's.</summary>
internal static class DotnetReport
{
    public static AnalysisReport? Build(ManagedProcess? process, string source, string? why, TextWriter stderr)
    {
        var diagnostics = new DiagnosticLog();
        if (process is null)
        {
            stderr.WriteLine(Events.Model.UntrustedText.ForTerminal($"tracefx: cannot read {source} as a .NET process: {why}"));
            return null;
        }
        foreach (var d in process.Diagnostics) diagnostics.Report(source, 0, DiagnosticSeverity.Warning, DiagnosticCodes.UnsupportedFormat, d);
        var (findings, state) = ManagedAnalysis.Analyze(process);
        var hash = File.Exists(source) ? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.OpenRead(source))) : "";
        return new AnalysisReport
        {
            Inputs = [InputSummary.ForDump(source, process.Threads.Count)],
            InputHashes = [hash],
            Findings = findings,
            State = state,
            Diagnostics = diagnostics,
        };
    }
}
