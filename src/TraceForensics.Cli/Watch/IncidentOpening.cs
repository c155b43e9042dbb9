using TraceForensics.Events.Model;

namespace TraceForensics.Cli.Watch;

/// <summary>Reading back what <see cref="IncidentWriter"/> wrote, for <c>tracefx tui DIR</c>: an incident directory opens
/// as its trace and kernel log together (the inputs its findings were made from); a watch's output directory (incident
/// directories in it) opens its latest incident (the names sort by time), and says which and how many others there are.</summary>
internal static class IncidentOpening
{
    public const string Prefix = "incident-";

    /// <summary>The inputs of <paramref name="dir"/> when it is an incident directory or a watch's output directory; null
    /// when it is neither. <paramref name="note"/> says what was opened (for the status line).</summary>
    public static string[]? Inputs(string dir, out string note)
    {
        note = "";
        if (!Directory.Exists(dir)) return null;
        if (File.Exists(Path.Combine(dir, IncidentWriter.TraceFile))) return Of(dir, out note);
        var incidents = List(dir);
        if (incidents.Count == 0) return null;
        var inputs = Of(incidents[^1], out note);
        if (incidents.Count > 1)
            note += $"; the latest of {incidents.Count} incidents (tracefx tui {Path.Combine(dir, Path.GetFileName(incidents[^2]))} opens the one before)";
        return inputs;
    }

    /// <summary>The incident directories in a watch's output directory, oldest first (their names hold the UTC time).</summary>
    public static List<string> List(string dir) =>
        Directory.EnumerateDirectories(dir, Prefix + "*")
            .Where(d => File.Exists(Path.Combine(d, IncidentWriter.TraceFile)))
            .OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal)
            .ToList();

    private static string[] Of(string incident, out string note)
    {
        var log = Path.Combine(incident, IncidentWriter.KernelLogFile);
        note = $"incident {Path.GetFileName(Path.GetFullPath(incident))}";
        // The first line of cleared.txt: a stall that cleared, and how long it lasted.
        var cleared = Path.Combine(incident, IncidentWriter.ClearedFile);
        if (File.Exists(cleared) && File.ReadLines(cleared).FirstOrDefault() is { } line) note += $" ({line})";
        note = UntrustedText.ForTerminal(note);
        return File.Exists(log) ? [Path.Combine(incident, IncidentWriter.TraceFile), log] : [Path.Combine(incident, IncidentWriter.TraceFile)];
    }
}
