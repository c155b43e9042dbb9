using TraceForensics.Events.Model;
using TraceForensics.Ingest.Diagnostics;

namespace TraceForensics.Events.Dictionary;

/// <summary>Reads a user's events-map file: one mapping per line, <c>event_name kind</c> or
/// <c>event_name = kind</c> (kind as in <see cref="EventKindNames"/>, e.g. <c>page-lock-wait</c>), <c>#</c>
/// comments. Bad lines are diagnostics; good ones still apply.</summary>
public static class EventsMapFile
{
    public static int Load(string path, EventDictionary dictionary, DiagnosticLog diagnostics)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diagnostics.Report(path, 0, DiagnosticSeverity.Error, DiagnosticCodes.BadEventsMap, $"cannot read the events map: {e.Message}");
            return 0;
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
