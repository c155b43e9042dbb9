using TraceForensics.Events.Model;
using TraceForensics.Ingest.Diagnostics;
using TraceForensics.Ingest.Input;

namespace TraceForensics.Events.Dictionary;

/// <summary>Reads a user's events-map file: one mapping per line, <c>event_name kind</c> or
/// <c>event_name = kind</c> (kind as in <see cref="EventKindNames"/>, e.g. <c>page-lock-wait</c>), <c>#</c>
/// comments. Bad lines are diagnostics; good ones still apply.</summary>
public static class EventsMapFile
{
    /// <summary>Loads the map; the number of mappings, or -1 after an error diagnostic when the file cannot be read (at
    /// line 0) or is over <paramref name="maxBytes"/> (at the line the bound falls in): nothing of it applies then. The
    /// bound is <see cref="InputLimits.MaxEventsMapBytes"/> (the default when not given): a map names a few hundred
    /// events; /dev/zero would be gigabytes.</summary>
    public static int Load(string path, EventDictionary dictionary, DiagnosticLog diagnostics, int? maxBytes = null)
    {
        int bound = maxBytes ?? InputLimits.Default.MaxEventsMapBytes;
        string[] lines;
        try
        {
            // Read with a bound, never by the file's length: a FIFO or /proc file has none, a device never ends.
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
            var buffer = new byte[bound + 1];
            int n = f.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (n > bound)
            {
                int line = buffer.AsSpan(0, bound).Count((byte)'\n') + 1;
                diagnostics.Report(path, line, DiagnosticSeverity.Error, DiagnosticCodes.BadEventsMap,
                    $"the events map is over {Size(bound)} (a map names events, one a line; " +
                    $"{InputLimits.Describe(nameof(InputLimits.MaxEventsMapBytes), bound)}, reached in this line): not read");
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

    private static string Size(int bytes) => bytes % (1 << 20) == 0 ? $"{bytes >> 20} MiB" : $"{bytes} bytes";
}
