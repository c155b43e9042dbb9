using System.Formats.Tar;
using System.IO.Compression;
using TraceForensics.Analysis;
using TraceForensics.Cli.Commands;
using TraceForensics.Cli.Triage;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Triage;

public sealed class TriageRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tracefx-triage-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private (string Parquet, TriageCommand.Counts Counts) Triage(int jobs, params string[] inputs)
    {
        var parquet = Path.Combine(_dir, $"out-{jobs}-{Guid.NewGuid():n}.parquet");
        var counts = new TriageCommand.Counts();
        using (var s = File.Create(parquet))
            TriageCommand.Run(TriageInputs.Expand(inputs), new TriageAnalysis(new AnalysisOptions()), jobs, s, counts, progress: null);
        return (parquet, counts);
    }

    [Fact]
    public void Parquet_reads_back_in_DuckDB_with_the_rows_and_signature_groups_written()
    {
        for (int i = 0; i < 30; i++) Write($"logs/r{i:D2}.log", HungReports.MutexChain(i, waiterIn: i % 3 == 0 ? "tty_ioctl" : "tty_release"));
        var analysis = new TriageAnalysis(new AnalysisOptions());
        var expected = TriageInputs.Expand([Path.Combine(_dir, "logs")]).SelectMany(analysis.Run).ToList();
        var (parquet, counts) = Triage(3, Path.Combine(_dir, "logs"));
        Assert.Equal(30, counts.Inputs);
        Assert.Equal(expected.Count, counts.Rows);
        var summary = TriageSummary.Read([parquet]);
        Assert.Equal(expected.Count, summary.Rows);
        Assert.Equal(0, summary.Diagnostics);
        Assert.Equal(2, summary.Groups.Count); // tty_release and tty_ioctl, whatever the pids
        Assert.Equal(expected.GroupBy(r => r.Signature!).Select(g => (g.Key, (long)g.Count())).OrderBy(g => g.Key, StringComparer.Ordinal).ToList(),
                     summary.Groups.Select(g => (g.Signature, g.Reports)).OrderBy(g => g.Signature, StringComparer.Ordinal).ToList());
        Assert.Equal(20, summary.Groups.Single(g => g.BlockedIn == "tty_release").Reports);
    }

    [Fact]
    public void The_file_is_byte_identical_whatever_the_number_of_jobs()
    {
        for (int i = 0; i < 12; i++) Write($"logs/r{i:D2}.log", HungReports.MutexChain(i));
        Write("logs/junk.bin", "\u0001\u0002 not a log");
        var one = File.ReadAllBytes(Triage(1, Path.Combine(_dir, "logs")).Parquet);
        var four = File.ReadAllBytes(Triage(4, Path.Combine(_dir, "logs")).Parquet);
        Assert.Equal(one, four);
    }

    [Fact]
    public void A_bad_input_is_a_diagnostic_row_and_the_run_goes_on()
    {
        var good = Write("good.log", HungReports.MutexChain(7));
        var junk = Write("junk.txt", "nothing a kernel would print\n");
        var cut = Path.Combine(_dir, "cut.log.gz");
        using (var gz = new MemoryStream())
        {
            using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true)) z.Write(System.Text.Encoding.UTF8.GetBytes(HungReports.MutexChain(8)));
            File.WriteAllBytes(cut, gz.ToArray()[..(int)(gz.Length / 2)]);
        }
        var missing = Path.Combine(_dir, "missing.log");
        var (parquet, counts) = Triage(2, good, junk, cut, missing);
        Assert.Equal(4, counts.Inputs);
        var analysis = new TriageAnalysis(new AnalysisOptions());
        Assert.Contains(analysis.Run(new TriageInput(good)), r => r.Kind == "hung-task" && r.Signature is not null);
        var junkRow = Assert.Single(analysis.Run(new TriageInput(junk)));
        Assert.Equal(TriageRow.DiagnosticKind, junkRow.Kind);
        Assert.Contains("unsupported-format", junkRow.Diagnostic);
        Assert.Contains(analysis.Run(new TriageInput(cut)), r => r.Kind == TriageRow.DiagnosticKind);
        Assert.Contains("no such file", Assert.Single(analysis.Run(TriageInputs.Expand([missing]).Single())).Diagnostic);
        Assert.True(TriageSummary.Read([parquet]).Diagnostics >= 3);
    }

    /// <summary>A FIFO (or socket, or device) met while recursing a directory is a diagnostic row, not opened: a FIFO with
    /// no writer blocks its reader for ever (fifo(7)), which stopped the whole run. Named on the command line, it is read.</summary>
    [SkippableFact]
    public void A_fifo_in_a_directory_is_a_diagnostic_row_not_a_read_that_blocks()
    {
        Skip.IfNot(File.Exists("/usr/bin/mkfifo"), "no mkfifo");
        var good = Write("logs/good.log", HungReports.MutexChain(3));
        var fifo = Path.Combine(_dir, "logs", "pipe");
        using (var mk = System.Diagnostics.Process.Start("/usr/bin/mkfifo", [fifo])) mk.WaitForExit();
        var inputs = TriageInputs.Expand([Path.Combine(_dir, "logs")]).ToList();
        Assert.Equal([good, fifo], inputs.Select(i => i.Path).ToArray());
        Assert.Null(inputs[0].Error);
        Assert.Contains("not a regular file", inputs[1].Error);
        var row = Assert.Single(new TriageAnalysis(new AnalysisOptions()).Run(inputs[1]));
        Assert.Equal(TriageRow.DiagnosticKind, row.Kind);
    }

    [Fact]
    public void A_compressed_tar_is_its_members_each_analysed_on_its_own()
    {
        var tar = Path.Combine(_dir, "reports.tar.gz");
        using (var file = File.Create(tar))
        using (var gz = new GZipStream(file, CompressionLevel.Fastest))
        using (var writer = new TarWriter(gz, TarEntryFormat.Pax))
        {
            foreach (var (name, seed) in new[] { ("a/one.log", 1), ("b/two.log", 2) })
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(HungReports.MutexChain(seed))) };
                writer.WriteEntry(entry);
            }
        }
        var rows = new TriageAnalysis(new AnalysisOptions()).Run(new TriageInput(tar));
        Assert.Equal([$"{tar}!a/one.log", $"{tar}!b/two.log"], rows.Select(r => r.Input).ToArray());
        Assert.Single(rows.Select(r => r.Signature).Distinct());
    }

    /// <summary>`tracefx triage -`: standard input is one input, a log or a tar stream, read as analyze reads it; a log
    /// piped in has no modification time (not the file-not-found date File.GetLastWriteTimeUtc gives).</summary>
    [Fact]
    public void Standard_input_is_one_input_a_tar_stream_or_a_log()
    {
        var tarBytes = new MemoryStream();
        using (var gz = new GZipStream(tarBytes, CompressionLevel.Fastest, leaveOpen: true))
        using (var writer = new TarWriter(gz, TarEntryFormat.Pax))
            foreach (var (name, seed) in new[] { ("a/one.log", 1), ("b/two.log", 2) })
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name)
                {
                    DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(HungReports.MutexChain(seed))),
                    ModificationTime = new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero),
                });
        var parquet = Path.Combine(_dir, "stdin.parquet");
        var (exit, _, stderr) = Run.CliWithInput(tarBytes.ToArray(), "triage", "-q", "-", "-o", parquet);
        Assert.True(exit == 0, stderr);
        var summary = TriageSummary.Read([parquet]);
        Assert.Equal(2, summary.Rows);
        var group = Assert.Single(summary.Groups);
        Assert.Equal(new DateTime(2026, 11, 30, 8, 0, 0, DateTimeKind.Utc), group.FirstSeen);

        var log = Path.Combine(_dir, "piped.parquet");
        (exit, _, stderr) = Run.CliWithInput(System.Text.Encoding.UTF8.GetBytes(HungReports.MutexChain(3)), "triage", "-q", "-", "-o", log);
        Assert.True(exit == 0, stderr);
        var piped = Assert.Single(TriageSummary.Read([log]).Groups);
        Assert.Equal(group.Signature, piped.Signature);
        Assert.Null(piped.FirstSeen);

        (exit, _, stderr) = Run.CliWithInput([], "triage", "-", "-", "-o", log);
        Assert.Equal(2, exit);
        Assert.Contains("standard input (-) can be given once", stderr);
    }

    [Fact]
    public void A_missing_input_is_a_diagnostic_row_with_no_time_seen()
    {
        var row = Assert.Single(new TriageAnalysis(new AnalysisOptions()).Run(TriageInputs.Expand([Path.Combine(_dir, "nope.log")]).Single()));
        Assert.Null(row.Seen);
    }

    [Fact]
    public void Host_and_boot_come_from_journal_lines_where_the_log_names_them()
    {
        var report = HungReports.MutexChain(3).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var journal = "-- Boot 0123456789abcdef0123456789abcdef --\n" + string.Join("\n", report.Select(l => "Dec 02 12:00:00 db-17 kernel: " + l[(l.IndexOf(']') + 2)..])) + "\n";
        var row = Assert.Single(new TriageAnalysis(new AnalysisOptions()).Run(new TriageInput(Write("journal.txt", journal))), r => r.Kind == "hung-task");
        Assert.Equal("db-17", row.Host);
        Assert.Equal("0123456789abcdef0123456789abcdef", row.Boot);
        Assert.Null(Assert.Single(new TriageAnalysis(new AnalysisOptions()).Run(new TriageInput(Write("dmesg.txt", HungReports.MutexChain(3)))), r => r.Kind == "hung-task").Host);
    }

    [Fact]
    public void The_command_writes_the_file_and_summarises_it_as_markdown()
    {
        Write("logs/a.log", HungReports.MutexChain(1));
        Write("logs/b.log", HungReports.MutexChain(2));
        var parquet = Path.Combine(_dir, "t.parquet");
        var (exit, _, stderr) = Run.Cli("triage", "-q", Path.Combine(_dir, "logs"), "-o", parquet);
        Assert.Equal(0, exit);
        Assert.Contains("2 inputs", stderr);
        var (sexit, stdout, _) = Run.Cli("triage", "--summary", "--format", "markdown", parquet);
        Assert.Equal(0, sexit);
        Assert.Contains("| 2 | 0 | `", stdout);
        Assert.Contains("task in tty_release", stdout);
    }

    [Fact]
    public void The_readme_shows_the_query_the_summary_runs() =>
        Assert.Contains(TriageSummary.Query.ReplaceLineEndings("\n"), File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md")).ReplaceLineEndings("\n"));

    /// <summary>A Parquet file written elsewhere is untrusted text again: a newline or an escape sequence in its shape or
    /// input never reaches the summary (it would forge a row of the table or drive the terminal).</summary>
    [Fact]
    public void A_foreign_parquet_files_text_is_escaped_in_the_summary()
    {
        var parquet = Path.Combine(_dir, "foreign.parquet");
        using (var connection = new DuckDB.NET.Data.DuckDBConnection("DataSource=:memory:"))
        {
            connection.Open();
            using var copy = connection.CreateCommand();
            copy.CommandText = "COPY (SELECT 'abcd' AS signature, 'h' AS host, TIMESTAMP '2026-01-01' AS seen, 'stall' AS kind, " +
                               "'f' AS blocked_in, 'task' AS root_kind, 'stall | a\n| 999 | forged |' || chr(27) || '[31m' AS shape, " +
                               "'in' || chr(10) || 'put' AS input) TO '" + parquet.Replace("'", "''") + "' (FORMAT parquet)";
            copy.ExecuteNonQuery();
        }
        var g = Assert.Single(TriageSummary.Read([parquet]).Groups);
        Assert.DoesNotContain('\n', g.Shape + g.Example);
        Assert.DoesNotContain('\u001b', g.Shape);
        var table = new StringWriter();
        TriageSummary.WriteTable(TriageSummary.Read([parquet]), table);
        Assert.Equal(5, table.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // counts, header, group, shape, example
    }

    /// <summary>A file name with glob characters names that file (DuckDB's read_parquet would take it for a pattern: one
    /// that matches nothing, or other files).</summary>
    [Fact]
    public void A_parquet_file_whose_name_holds_glob_characters_is_summarised()
    {
        var (parquet, _) = Triage(1, Write("hung-glob.txt", HungReports.MutexChain(1)));
        var named = Path.Combine(_dir, "week[1]*?.parquet");
        File.Copy(parquet, named);
        var summary = TriageSummary.Read([named]);
        Assert.Equal(TriageSummary.Read([parquet]).Rows, summary.Rows);
        Assert.True(summary.Rows > 0);
        Assert.Empty(Directory.GetDirectories(Path.GetTempPath(), "tracefx-summary-*")); // its link went with it
    }
}
