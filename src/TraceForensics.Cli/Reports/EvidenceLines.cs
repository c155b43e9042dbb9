using TraceForensics.Events.Reading;
using TraceForensics.Ingest.Formats;
using TraceForensics.Ingest.Input;
using TraceForensics.Ingest.TraceDat;
using TraceForensics.Replay.Evidence;

namespace TraceForensics.Cli.Reports;

/// <summary>The text of the trace lines behind the findings, read back from the inputs (one pass per input, only the
/// lines asked for; compressed inputs are decompressed again). Stdin cannot be read twice: its lines are missing.</summary>
internal static class EvidenceLines
{
    public static Dictionary<(int Input, long Line), string> Fetch(IReadOnlyList<InputSummary> inputs, IEnumerable<EvidenceLine> wanted)
    {
        var result = new Dictionary<(int, long), string>();
        foreach (var group in wanted.GroupBy(l => l.Input))
        {
            var path = inputs[group.Key].Path;
            if (path == "-" || !File.Exists(path)) continue;
            var lines = group.Select(l => l.Line).ToHashSet();
            long last = lines.Max();
            if (inputs[group.Key].Format == TraceFormat.TraceDat)
            {
                FetchRecords(path, group.Key, lines, last, result);
                continue;
            }
            try
            {
                using var input = InputOpener.Open(path);
                using var reader = new LineReader(input.Stream);
                while (reader.Read(out var line) != LineStatus.End && reader.LineNumber <= last)
                    if (lines.Contains(reader.LineNumber))
                        result[(group.Key, reader.LineNumber)] = System.Text.Encoding.UTF8.GetString(line).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The report still cites path and line; only the text is missing.
            }
        }
        return result;
    }

    /// <summary>A trace.dat: its records read again, each shown as trace-cmd report prints it with its place in the ring
    /// buffer.</summary>
    private static void FetchRecords(string path, int inputIndex, HashSet<long> lines, long last, Dictionary<(int, long), string> result)
    {
        try
        {
            using var source = new TraceDatRecordSource(InputOpener.Open(path));
            var record = new RawRecord();
            while (source.Read(ref record) && source.Position.Ordinal <= last)
                if (lines.Contains(source.Position.Ordinal))
                    result[(inputIndex, source.Position.Ordinal)] = source.Describe(ref record);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The report still cites path and record; only the text is missing.
        }
    }
}
