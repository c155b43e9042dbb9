using TraceForensics.Events.Model;
using TraceForensics.Ingest.Diagnostics;

namespace TraceForensics.Events.Dictionary;

/// <summary>Reads a user's events-map file: one mapping per line, <c>event_name kind</c> or
/// <c>event_name = kind</c> (kind as in <see cref="EventKindNames"/>, e.g. <c>page-lock-wait</c>), <c>#</c>
/// comments. Bad lines are diagnostics; good ones still apply.</summary>
public static class EventsMapFile
{
    /// <summary>The largest events map read (a map names a few hundred events; /dev/zero would be gigabytes).</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>Loads the map; the number of mappings, or -1 (after an error diagnostic at line 0) when the file cannot
    /// be read or is over <see cref="MaxBytes"/>: nothing of it applies then.</summary>
    public static int Load(string path, EventDictionary dictionary, DiagnosticLog diagnostics)
    {
        string[] lines;
        try
        {
            // Read with a bound, never by the file's length: a FIFO or /proc file has none, a device never ends.
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
            var buffer = new byte[MaxBytes + 1];
            int n = f.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (n > MaxBytes)
            {
                diagnostics.Report(path, 0, DiagnosticSeverity.Error, DiagnosticCodes.BadEventsMap,
                    $"the events map is over {MaxBytes >> 20} MiB (a map names events, one a line): not read");
                return -1;
            }
            lines = System.Text.Encoding.UTF8.GetString(buffer, 0, n).TrimStart('\uFEFF').Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            diagnostics.Report(path, 0, DiagnosticSeverity.Error, DiagnosticCodes.BadEventsMap, $"cannot read the events map: {e.Message}");
            return -1;
        }
        int mapped = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            var text = lines[i];
            int hash = text.IndexOf('#');
            if (hash >= 0) text = text[..hash];
            var parts = text.Replace('=', ' ').Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) continue;
            if (parts.Length != 2 || !EventKindNames.TryParse(parts[1], out var kind))
            {
                diagnostics.Report(path, i + 1, DiagnosticSeverity.Warning, DiagnosticCodes.BadEventsMap,
                    $"expected `event_name kind` with kind one of: {string.Join(", ", EventKindNames.All)}");
                continue;
            }
            dictionary.MapUserEvent(parts[0], kind);
            mapped++;
        }
        return mapped;
    }
}
