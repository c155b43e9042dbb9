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

    /// <summary>The suffix of the <paramref name="n"/>th incident directory made within one second (2 and on): "-0002".</summary>
    public static string Sequence(int n) => "-" + n.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The incident directories in a watch's output directory, oldest first: by the UTC time their names hold,
    /// then by their number within that second (none: the first), read as a number so that the unpadded names of
    /// earlier versions ("-10" after "-9") sort right too.</summary>
    public static List<string> List(string dir) =>
        Directory.EnumerateDirectories(dir, Prefix + "*")
            .Where(d => File.Exists(Path.Combine(d, IncidentWriter.TraceFile)))
            .Select(d => (Dir: d, Key: OrderOf(Path.GetFileName(d))))
            .OrderBy(d => d.Key.Time, StringComparer.Ordinal).ThenBy(d => d.Key.Number).ThenBy(d => Path.GetFileName(d.Dir), StringComparer.Ordinal)
            .Select(d => d.Dir)
            .ToList();

    /// <summary>"incident-20261203T152900Z-0010" as ("incident-20261203T152900Z", 10); a name without a number is the
    /// second's first (1).</summary>
    private static (string Time, long Number) OrderOf(string name)
    {
        int dash = name.LastIndexOf('-');
        return dash > Prefix.Length - 1 && long.TryParse(name.AsSpan(dash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long n)
            ? (name[..dash], n)
            : (name, 1);
    }

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
