using TraceForensics.Events.Model;
using DuckDB.NET.Data;

namespace TraceForensics.Cli.Triage;

/// <summary><c>tracefx triage --summary FILE.parquet...</c>: the rows grouped by chain signature, through DuckDB in
/// process (the native library ships in the DuckDB.NET.Data.Full package, beside the binary). The grouping is
/// <see cref="Query"/>, the same text the README shows for Spark SQL, Trino and DuckDB over the same files.</summary>
public static class TriageSummary
{
    /// <summary>One query, in the SQL that DuckDB, Spark SQL, Trino and BigQuery share (no engine's own functions:
    /// COUNT, MIN, MAX, GROUP BY, ORDER BY), over a table or view named <c>triage</c>.</summary>
    public const string Query = """
        SELECT signature,
               COUNT(*)             AS reports,
               COUNT(DISTINCT host) AS hosts,
               MIN(seen)            AS first_seen,
               MAX(seen)            AS last_seen,
               MIN(kind)            AS kind,
               MIN(blocked_in)      AS blocked_in,
               MIN(root_kind)       AS root_kind,
               MIN(shape)           AS shape,
               MIN(input)           AS example
        FROM triage
        WHERE signature IS NOT NULL
        GROUP BY signature
        ORDER BY reports DESC, signature
        """;

    public sealed record Group(string Signature, long Reports, long Hosts, DateTime? FirstSeen, DateTime? LastSeen, string Kind,
                               string? BlockedIn, string? RootKind, string Shape, string Example);

    public sealed record Result(IReadOnlyList<Group> Groups, long Rows, long Diagnostics);

    /// <summary>Reads the Parquet files through DuckDB; the files are named to DuckDB as a list of string literals
    /// (quotes doubled), never spliced as SQL.</summary>
    public static Result Read(IReadOnlyList<string> files)
    {
        // read_parquet takes each name for a glob (*, ?, [...]: DuckDB's multiple-files reading) and has no escape for
        // them, so a file whose name holds one is named through a symbolic link of a plain name in a private directory.
        DirectoryInfo? links = null;
        try
        {
            var names = new List<string>(files.Count);
            foreach (var f in files)
            {
                if (f.IndexOfAny(['*', '?', '[']) < 0) { names.Add(f); continue; }
                links ??= Directory.CreateTempSubdirectory("tracefx-summary-");
                var link = Path.Combine(links.FullName, $"{names.Count}.parquet");
                File.CreateSymbolicLink(link, Path.GetFullPath(f));
                names.Add(link);
            }
            return ReadNamed(names);
        }
        finally
        {
            links?.Delete(recursive: true);
        }
    }

    private static Result ReadNamed(List<string> files)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using (var view = connection.CreateCommand())
        {
            var list = string.Join(", ", files.Select(f => "'" + f.Replace("'", "''") + "'"));
            view.CommandText = $"CREATE VIEW triage AS SELECT * FROM read_parquet([{list}])";
            view.ExecuteNonQuery();
        }
        var groups = new List<Group>();
        using (var query = connection.CreateCommand())
        {
            query.CommandText = Query;
            using var r = query.ExecuteReader();
            while (r.Read())
                // A Parquet file may come from elsewhere: its text is untrusted again (a newline in a shape would forge a
                // row of the table, which the output's last check lets through).
                groups.Add(new Group(Text(r.GetString(0)), r.GetInt64(1), r.GetInt64(2), r.IsDBNull(3) ? null : r.GetDateTime(3),
                    r.IsDBNull(4) ? null : r.GetDateTime(4), Text(r.GetString(5)), r.IsDBNull(6) ? null : Text(r.GetString(6)),
                    r.IsDBNull(7) ? null : Text(r.GetString(7)), Text(r.GetString(8)), Text(r.GetString(9))));
        }
        using var counts = connection.CreateCommand();
        counts.CommandText = $"SELECT COUNT(*), COUNT(*) FILTER (WHERE kind = '{TriageRow.DiagnosticKind}') FROM triage";
        using var c = counts.ExecuteReader();
        c.Read();
        return new Result(groups, c.GetInt64(0), c.GetInt64(1));
    }

    public static void WriteTable(Result result, TextWriter w)
    {
        w.WriteLine($"{result.Rows} rows, {result.Groups.Count} signature groups, {result.Diagnostics} diagnostic rows");
        w.WriteLine();
        w.WriteLine($"{"reports",7}  {"hosts",5}  {"signature",-16}  {"kind",-18}  {"blocked in",-24}  {"root",-10}  {"first seen",-19}  {"last seen",-19}");
        foreach (var g in result.Groups)
        {
            w.WriteLine($"{g.Reports,7}  {g.Hosts,5}  {g.Signature,-16}  {g.Kind,-18}  {g.BlockedIn ?? "?",-24}  {g.RootKind ?? "-",-10}  {Time(g.FirstSeen),-19}  {Time(g.LastSeen),-19}");
            w.WriteLine($"{"",16}shape: {g.Shape}");
            w.WriteLine($"{"",16}e.g.   {g.Example}");
        }
    }

    public static void WriteMarkdown(Result result, TextWriter w)
    {
        w.WriteLine($"**{result.Rows} rows, {result.Groups.Count} signature groups, {result.Diagnostics} diagnostic rows**");
        w.WriteLine();
        w.WriteLine("| reports | hosts | signature | kind | blocked in | root | first seen | last seen | example | chain shape |");
        w.WriteLine("|---:|---:|---|---|---|---|---|---|---|---|");
        foreach (var g in result.Groups)
            w.WriteLine($"| {g.Reports} | {g.Hosts} | `{g.Signature}` | {g.Kind} | {Reports.MarkdownReportWriter.Cell(g.BlockedIn ?? "?")} | {Reports.MarkdownReportWriter.Cell(g.RootKind ?? "-")} | {Time(g.FirstSeen)} | {Time(g.LastSeen)} | {Reports.MarkdownReportWriter.Cell(g.Example)} | {Reports.MarkdownReportWriter.Cell(g.Shape)} |");
    }

    private static string Text(string s) => UntrustedText.ForTerminal(s);

    private static string Time(DateTime? t) => t is { } v ? v.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) : "-";
}
