using System.Formats.Tar;
using TraceForensics.Analysis;
using TraceForensics.Events.Reading;
using TraceForensics.Ingest.Input;

namespace TraceForensics.Cli.Triage;

/// <summary>One triage input analysed on its own, as <c>tracefx analyze</c> would analyse it alone (the same
/// <see cref="TraceAnalysis.Run"/>), into rows. A tar (recognised by its <c>ustar</c> magic after decompression:
/// POSIX.1-2001 pax, the magic at offset 257) is its members, each analysed on its own. Nothing an input holds stops the
/// run: an input that cannot be read, has error diagnostics, or makes the analysis fail is a diagnostic row.</summary>
public sealed class TriageAnalysis(AnalysisOptions options)
{
    /// <summary>A tar member is read into memory up to this size, else into a temporary file.</summary>
    private const long InMemoryMember = 16L << 20;

    public List<TriageRow> Run(TriageInput input)
    {
        var seen = SeenOf(input.Path);
        var origin = new InputOrigin(input.Path, seen);
        if (input.Error is { } error) return [TriageRow.Failed(origin, error)];
        var rows = new List<TriageRow>();
        try
        {
            using var opened = InputOpener.Open(input.Path);
            if (IsTar(opened)) Tar(opened.Stream, input.Path, rows);
            else Analyse(origin, opened, rows);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            rows.Add(TriageRow.Failed(origin, $"{e.Message} ({e.GetType().Name})"));
        }
        return rows;
    }

    /// <summary>When the input was written (its modification time; none for standard input, "-").</summary>
    private static DateTime? SeenOf(string path)
    {
        if (path == "-") return null;
        try
        {
            // A path that does not exist gives 1601-01-01 (File.GetLastWriteTimeUtc's documented "not found"), not an error.
            var written = File.GetLastWriteTimeUtc(path);
            return written == DateTime.FromFileTimeUtc(0) ? null : written;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool IsTar(OpenedInput opened) =>
        opened.Head.Length >= 263 && opened.Head.Slice(257, 5).SequenceEqual("ustar"u8);

    private void Tar(Stream stream, string archive, List<TriageRow> rows)
    {
        using var reader = new TarReader(stream);
        while (true)
        {
            TarEntry? entry;
            try
            {
                entry = reader.GetNextEntry();
            }
            catch (Exception e) when (e is InvalidDataException or IOException or FormatException)
            {
                rows.Add(TriageRow.Failed(new InputOrigin(archive, SeenOf(archive)), $"tar: {e.Message}"));
                return;
            }
            if (entry is null) return;
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile)
                || entry.DataStream is null) continue;
            var origin = new InputOrigin($"{archive}!{entry.Name}", entry.ModificationTime.UtcDateTime);
            try
            {
                using var member = InputOpener.Open(Copy(entry.DataStream, entry.Length));
                Analyse(origin, member, rows);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                rows.Add(TriageRow.Failed(origin, $"{e.Message} ({e.GetType().Name})"));
            }
        }
    }

    /// <summary>A tar member's bytes, apart from the archive stream (which moves on to the next member).</summary>
    private static Stream Copy(Stream data, long length)
    {
        Stream copy = length <= InMemoryMember ? new MemoryStream((int)length)
            : TempSpill.Create("tracefx-tar") ?? throw new IOException($"no temporary file in {Path.GetTempPath()} for a member of {length} bytes");
        try
        {
            data.CopyTo(copy);
        }
        catch
        {
            copy.Dispose(); // an archive cut short: the temporary file's space is freed at once, not at exit
            throw;
        }
        copy.Position = 0;
        return copy;
    }

    /// <summary>Analyses one opened input (decompressed by its opening; the session sniffs the format as for any input)
    /// into <paramref name="rows"/>.</summary>
    private void Analyse(InputOrigin origin, OpenedInput opened, List<TriageRow> rows)
    {
        origin = origin.WithHead(opened.Head);
        var plain = opened.Stream;
        using var session = TraceSession.Open([(origin.Name, (Func<Stream>)(() => plain))], new TraceSessionOptions { Parallelism = 1 });
        var result = TraceAnalysis.Run(session, options);
        foreach (var f in result.Findings) rows.Add(TriageRow.Of(f, origin));
        // The session reads the bytes already decompressed here: a compressed input cut short or damaged is said by
        // this opening's reader, not the session's.
        if (opened.ReadError is { } readError) rows.Add(TriageRow.Failed(origin, $"read error: {readError}; what was read is analysed"));
        else if (!session.AnyReadable || result.Diagnostics.Errors > 0)
        {
            var first = result.Diagnostics.Kept.FirstOrDefault(d => d.Severity == Ingest.Diagnostics.DiagnosticSeverity.Error);
            rows.Add(TriageRow.Failed(origin, first is null ? "no input could be read" : (first.Line > 0 ? $"line {first.Line}: " : "") + $"{first.Message} [{first.Code}]"));
        }
    }
}
