using TraceForensics.Analysis.Findings;
using TraceForensics.Events.Reading;
using TraceForensics.Ingest.Diagnostics;

namespace TraceForensics.Cli.Findings;

/// <summary>What <c>tracefx analyze</c> found, with what it needs to print it: the inputs (and their hashes), the
/// findings (self-contained: every name resolved), the diagnostics.</summary>
public sealed class AnalysisReport
{
    public required IReadOnlyList<InputSummary> Inputs { get; init; }
    public required IReadOnlyList<string> InputHashes { get; init; }
    public required IReadOnlyList<Finding> Findings { get; init; }
    public required DiagnosticLog Diagnostics { get; init; }

    public FindingKind? Worst => Findings.Count == 0 ? null : Findings.Max(f => f.Kind);
    /// <summary>The worst finding's kind; "clean" when there is none, unless nothing was read at all: no input gave an
    /// event and one had an error (a compressed file cut short before its first event, a read error), which is
    /// "nothing-read" (exit 3), not a trace found clean.</summary>
    public string Verdict => Worst?.Name() ?? (NothingRead ? "nothing-read" : "clean");

    /// <summary>No input gave an event, and the reading had errors.</summary>
    public bool NothingRead => Diagnostics.Errors > 0 && Inputs.All(i => !i.HasEvents);

    public string PathOf(int input) => Inputs[input].Path;

    /// <summary>A process dump has no timeline: its findings have no time to print.</summary>
    public bool Timeless => Inputs.Count > 0 && Inputs.All(i => i.Format == Ingest.Formats.TraceFormat.DotnetDump);

    /// <summary>" at T" for a trace's finding, "" for a dump's.</summary>
    public string At(Finding f) => Timeless ? "" : $" at {Events.Model.TraceTime.Format(f.AtNs)}";

    /// <summary>The SHA-256 of an input file read again, for an input whose reading did not reach its end (rejected, or an
    /// analysis that stopped early; <see cref="Events.Reading.InputSummary.Sha256"/> is the hash of a reading that did):
    /// "" for standard input, a live process, a file that is gone or cannot
    /// be read again, and what is not a regular file (a FIFO or process substitution was read once already; a device
    /// like /dev/zero never ends).</summary>
    public static string Sha256Of(string path)
    {
        if (path == "-" || Output.UnixFile.Stat(path).Kind != Output.UnixFile.Kind.Regular) return "";
        try
        {
            using var f = File.OpenRead(path);
            return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(f));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
