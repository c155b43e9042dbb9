using System.Globalization;
using TraceForensics.Analysis;
using TraceForensics.Analysis.Findings;
using TraceForensics.Capture;
using TraceForensics.Cli.Capture;
using TraceForensics.Cli.Findings;
using TraceForensics.Cli.Output;
using TraceForensics.Cli.Reports;
using TraceForensics.Events.Model;
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
    public const string TraceFile = "trace.dat", KernelLogFile = "dmesg.txt", BlockedFile = "blocked-tasks.txt", TopologyFile = "topology.txt";
    public const string FindingsText = "findings.txt", FindingsJson = "findings.json", FindingsLkml = "findings.lkml.txt", ClearedFile = "cleared.txt";

    /// <summary>The new incident directory under <paramref name="root"/>, named by <paramref name="atUtc"/>; a second one
    /// within the same second gets <c>-0002</c>, then <c>-0003</c> and so on: zero-padded, so that the names sort in the
    /// order they were made (<c>-0010</c> after <c>-0009</c>, where <c>-10</c> sorted before <c>-2</c>).</summary>
    public static string CreateDirectory(string root, DateTime atUtc)
    {
        var name = IncidentOpening.Prefix + atUtc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var dir = Path.Combine(root, name);
        for (int n = 2; Directory.Exists(dir); n++) dir = Path.Combine(root, name + IncidentOpening.Sequence(n));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>How long writing an incident (its trace file, its analysis, the reports) may take once its directory is
    /// made before the directory is taken for hung: a bound, well above what the README measured (2.8 s).</summary>
    public static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Writes an incident by <paramref name="write"/> into <paramref name="output"/> (<c>-o</c>), or into
    /// <paramref name="fallback"/> when <c>-o</c>'s filesystem is in the finding's chain (<see cref="OutputInChain"/>,
    /// decided before anything is written; said on stdout and stderr), when <c>-o</c> is not held, or when <c>-o</c> did
    /// not take it in time (<see cref="BoundedIo"/>: the directory made within <see cref="IncidentDirectory.ProbeTimeout"/>,
    /// the files within <see cref="WriteTimeout"/>). The incident directory, or null after a message.</summary>
    public static string? WritePlaced(IncidentDirectory output, IncidentDirectory? fallback, Finding finding, Func<StorageTopology> topology,
                                      Action<string, TextWriter, CancellationToken> write, TextWriter stdout, TextWriter stderr)
    {
        var why = !output.Usable ? $"{output.Path} is not held (see above)"
            : OutputInChain.ThroughBounded(output.Device, finding, topology) is { } through
                ? $"the filesystem of {output.Path} ({output.Device}) is in the incident's chain (through {through})"
                : null;
        string? dir = null;
        if (why is null)
        {
            dir = WriteBounded(output.Path, write, stderr, out why);
            if (dir is not null) return dir;
        }
        if (fallback is null)
        {
            stderr.WriteLine(UntrustedText.ForTerminal($"tracefx: {why}, and there is no fallback directory: the incident was not written"));
            return null;
        }
        var line = UntrustedText.ForTerminal($"tracefx: {why}: the incident goes to {fallback.Path}");
        stdout.WriteLine(line);
        stdout.Flush();
        stderr.WriteLine(line);
        return WriteBounded(fallback.Path, write, stderr, out _);
    }

    /// <summary>A new incident directory under <paramref name="root"/> with the incident written into it, on a worker
    /// (<see cref="BoundedIo"/>); null, with <paramref name="failed"/> saying why, when it failed or did not end in time
    /// (what the worker made is then removed, once it ends, if it ever does). The worker writes its messages to a writer
    /// of its own, passed on to <paramref name="stderr"/> when it ends in time.</summary>
    private static string? WriteBounded(string root, Action<string, TextWriter, CancellationToken> write, TextWriter stderr, out string? failed)
    {
        var messages = new StringWriter();
        try
        {
            if (!BoundedIo.Run(cancel =>
                {
                    var made = CreateDirectory(root, DateTime.UtcNow);
                    if (cancel.IsCancellationRequested) Directory.Delete(made);
                    return made;
                }, IncidentDirectory.ProbeTimeout, out var dir))
            {
                failed = $"no directory was made in {root} within {IncidentDirectory.ProbeTimeout.TotalSeconds} s (a frozen or hung filesystem?)";
                return null;
            }
            bool written = BoundedIo.Run(cancel =>
            {
                try
                {
                    write(dir!, messages, cancel);
                }
                catch (OperationCanceledException)
                {
                    Directory.Delete(dir!, recursive: true);
                }
                return true;
            }, WriteTimeout, out _);
            stderr.Write(messages.ToString());
            if (!written)
            {
                failed = $"the incident was not written into {dir} within {WriteTimeout.TotalSeconds} s (a frozen or hung filesystem?)";
                return null;
            }
            failed = null;
            return dir;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.Write(messages.ToString());
            failed = $"the incident was not written into {root}: {e.Message}";
            stderr.WriteLine(UntrustedText.ForTerminal($"tracefx: {failed}"));
            return null;
        }
    }

    /// <summary>Writes the incident's files into <paramref name="dir"/>; the analysis of its trace, kernel log and
    /// storage topology (<paramref name="topology"/>, a topology file's text read at the incident, with the /proc stacks of
    /// the FUSE daemons then; null: none). Looks at <paramref name="cancel"/> between files
    /// (<see cref="OperationCanceledException"/>).</summary>
    public static AnalysisReport Write(string dir, Tracefs fs, TracefsRecording recording, int pageSize, List<(int Cpu, List<byte[]> Pages)> window,
                                       List<string> kernelLog, List<string> blocked, AnalysisOptions options, TextWriter stderr,
                                       string? topology = null, CancellationToken cancel = default)
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
        cancel.ThrowIfCancellationRequested();
        var inputs = new List<string> { Path.Combine(dir, TraceFile) };
        if (WriteLinesOrNone(Path.Combine(dir, KernelLogFile), kernelLog, stderr)) inputs.Add(Path.Combine(dir, KernelLogFile));
        WriteLines(Path.Combine(dir, BlockedFile), blocked, stderr);
        cancel.ThrowIfCancellationRequested();
        if (topology is not null)
        {
            CommandOutput.Emit(Path.Combine(dir, TopologyFile), TextWriter.Null, stderr, CommandOutput.Text(w => w.Write(topology)));
            inputs.Add(Path.Combine(dir, TopologyFile));
        }
        else File.Delete(Path.Combine(dir, TopologyFile)); // a rewrite's: as for the kernel log (WriteLinesOrNone)
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
        cancel.ThrowIfCancellationRequested();
        CommandOutput.Emit(Path.Combine(dir, FindingsJson), TextWriter.Null, stderr, s => FindingsJsonWriter.Write(report, s));
        CommandOutput.Emit(Path.Combine(dir, FindingsLkml), TextWriter.Null, stderr, CommandOutput.Text(w => LkmlReportWriter.Write(ReportContext.Build(report), w)));
        return report;
    }

    /// <summary>Lines, each ended by "\n", through the output path.</summary>
    public static void WriteLines(string path, IEnumerable<string> lines, TextWriter stderr) => CommandOutput.EmitLines(path, lines, stderr);

    /// <summary><paramref name="lines"/> as <see cref="WriteLines"/> when there are any (true); none: no file, and a
    /// file of that name is removed. An incident written again over its directory (<see cref="OpenIncidents"/>) whose
    /// window no longer holds kernel log lines would otherwise keep the former writing's, which <c>tracefx tui DIR</c> and
    /// <c>tracefx analyze DIR/*</c> then read beside the new trace, while the findings were made without them.</summary>
    public static bool WriteLinesOrNone(string path, IReadOnlyCollection<string> lines, TextWriter stderr)
    {
        if (lines.Count > 0)
        {
            WriteLines(path, lines, stderr);
            return true;
        }
        File.Delete(path); // none there: nothing done
        return false;
    }
}
