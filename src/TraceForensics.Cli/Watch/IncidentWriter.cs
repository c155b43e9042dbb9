using System.Globalization;
using TraceForensics.Analysis;
using TraceForensics.Capture;
using TraceForensics.Cli.Capture;
using TraceForensics.Cli.Findings;
using TraceForensics.Cli.Output;
using TraceForensics.Cli.Reports;
using TraceForensics.Events.Reading;

namespace TraceForensics.Cli.Watch;

/// <summary>Writes one incident of a watch into a directory of its own, <c>DIR/incident-YYYYMMDDTHHMMSSZ</c>:
/// <c>trace.dat</c> (the window's pages, made by the recording's trace.dat writer), <c>dmesg.txt</c> (the kernel log of
/// the window), <c>blocked-tasks.txt</c> (<see cref="BlockedTasksDump"/>), and the findings of
/// <c>tracefx analyze trace.dat dmesg.txt</c> over them as <c>findings.txt</c>, <c>findings.json</c> and
/// <c>findings.lkml.txt</c>: what the incident says is what reading its files back says. Every file goes through the
/// commands' output path (atomic, control characters escaped).</summary>
internal static class IncidentWriter
{
    public const string TraceFile = "trace.dat", KernelLogFile = "dmesg.txt", BlockedFile = "blocked-tasks.txt";
    public const string FindingsText = "findings.txt", FindingsJson = "findings.json", FindingsLkml = "findings.lkml.txt", ClearedFile = "cleared.txt";

    /// <summary>The new incident directory under <paramref name="root"/>, named by <paramref name="atUtc"/>.</summary>
    public static string CreateDirectory(string root, DateTime atUtc)
    {
        var name = "incident-" + atUtc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var dir = Path.Combine(root, name);
        for (int n = 2; Directory.Exists(dir); n++) dir = Path.Combine(root, $"{name}-{n.ToString(CultureInfo.InvariantCulture)}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Writes the incident's files into <paramref name="dir"/>; the analysis of its trace and kernel log.</summary>
    public static AnalysisReport Write(string dir, Tracefs fs, TracefsRecording recording, int pageSize, List<(int Cpu, List<byte[]> Pages)> window,
                                       List<string> kernelLog, List<string> blocked, AnalysisOptions options, TextWriter stderr)
    {
        using (var scratch = PageDirectory.InTemp())
        {
            var pageFiles = new List<(int Cpu, string PageFile)>();
            foreach (var (cpu, pages) in window)
            {
                var file = Path.Combine(scratch.Path, $"cpu{cpu.ToString(CultureInfo.InvariantCulture)}.pages");
                using (var s = new FileStream(file, FileMode.CreateNew, FileAccess.Write))
                    foreach (var p in pages) s.Write(p);
                pageFiles.Add((cpu, file));
            }
            var writer = TraceDatOutput.Prepare(fs, recording, pageSize, pageFiles, zstd: false);
            OutputTarget.Write(Path.Combine(dir, TraceFile), s => writer.Write(s, scratch.Path));
        }
        var inputs = new List<string> { Path.Combine(dir, TraceFile) };
        if (kernelLog.Count > 0)
        {
            WriteLines(Path.Combine(dir, KernelLogFile), kernelLog, stderr);
            inputs.Add(Path.Combine(dir, KernelLogFile));
        }
        WriteLines(Path.Combine(dir, BlockedFile), blocked, stderr);
        using var session = TraceSession.Open(inputs, new TraceSessionOptions { HashInputs = true, Parallelism = 1 });
        var result = TraceAnalysis.Run(session, options);
        var report = new AnalysisReport
        {
            Inputs = result.Inputs,
            InputHashes = result.Inputs.Select(i => i.Sha256 ?? AnalysisReport.Sha256Of(i.Path)).ToList(),
            Findings = result.Findings,
            Diagnostics = result.Diagnostics,
        };
        CommandOutput.Emit(Path.Combine(dir, FindingsText), TextWriter.Null, stderr, CommandOutput.Text(w => FindingsTextWriter.Write(report, w)));
        CommandOutput.Emit(Path.Combine(dir, FindingsJson), TextWriter.Null, stderr, s => FindingsJsonWriter.Write(report, s));
        CommandOutput.Emit(Path.Combine(dir, FindingsLkml), TextWriter.Null, stderr, CommandOutput.Text(w => LkmlReportWriter.Write(ReportContext.Build(report), w)));
        return report;
    }

    /// <summary>Lines, each ended by "\n", through the output path.</summary>
    public static void WriteLines(string path, IEnumerable<string> lines, TextWriter stderr) => CommandOutput.EmitLines(path, lines, stderr);
}
