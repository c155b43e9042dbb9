using TraceForensics.Events.Model;
using TraceForensics.Ingest.Diagnostics;

namespace TraceForensics.Cli.Commands;

/// <summary>Prints the kept diagnostics to stderr (path:line: severity: message [code]) and how many more of each
/// code were counted but not shown.</summary>
internal static class DiagnosticsPrinter
{
    public static void Print(DiagnosticLog log, TextWriter stderr)
    {
        foreach (var d in log.Kept) stderr.WriteLine(UntrustedText.ForTerminal(d.ToString()));
        foreach (var (path, code, notShown) in log.Suppressed())
            stderr.WriteLine(UntrustedText.ForTerminal($"{path}: ... and {notShown} more [{code}] diagnostics not shown"));
    }
}
