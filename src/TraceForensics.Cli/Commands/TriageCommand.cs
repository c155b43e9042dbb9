using System.Collections.Concurrent;
using System.CommandLine;
using TraceForensics.Analysis;
using TraceForensics.Cli.Output;
using TraceForensics.Cli.Triage;

namespace TraceForensics.Cli.Commands;

/// <summary><c>tracefx triage INPUT... [-o FILE.parquet] [--jobs N]</c>: each input (file, directory recursed, archive)
/// analysed on its own, in parallel, into one Parquet row per finding; <c>tracefx triage --summary FILE.parquet...
/// [--format table|markdown]</c>: the rows grouped by chain signature.</summary>
internal static class TriageCommand
{
    /// <summary>Results waiting to be written, per job: the bound on what the run holds whatever the number of inputs.</summary>
    private const int WindowPerJob = 8;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var inputs = new Argument<string[]>("input")
        {
            Description = "Kernel logs and traces: files, directories (recursed), .gz/.zst/.xz, tar archives of them; with --summary, Parquet files",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string?>("--output", "-o") { Description = "The Parquet file to write (atomically); default triage.parquet" };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Inputs analysed at once (default: the processors)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var summary = new Option<bool>("--summary") { Description = "Group the rows of Parquet files written by triage by chain signature" };
        var format = new Option<string>("--format") { Description = "Summary format", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "markdown");
        var threshold = new Option<double>("--stall-threshold") { Description = "Seconds a task must be blocked to be a stall", DefaultValueFactory = _ => 2.0 };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress line on stderr" };
        // Standard input can be read once (a log or a tar stream piped in; with --summary it is no Parquet file).
        inputs.Validators.Add(r =>
        {
            if (r.Tokens.Count(t => t.Value == "-") > 1) r.AddError("standard input (-) can be given once");
        });
        jobs.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 256) r.AddError("--jobs wants 1 to 256");
        });
        var command = new Command("triage", """
            Analyse many kernel logs or traces, each on its own, into one Parquet row per finding with a chain
            signature (the wait-for chain with pids, addresses and numbers taken out), and group them.

            Examples:
              tracefx triage logs/ -o week.parquet          every file under logs/, in parallel
              tracefx triage reports.tar.zst -o r.parquet    the members of an archive
              ssh host dmesg | tracefx triage - -o h.parquet   standard input (a log, or a tar stream)
              tracefx triage --summary week.parquet          groups by signature: count, first/last seen, an example
              tracefx triage --summary --format markdown week.parquet   the same for a tracker
            """);
        foreach (var o in new Option[] { output, jobs, summary, format, threshold, quiet }) command.Add(o);
        command.Add(inputs);
        command.SetAction(parse =>
        {
            var paths = parse.GetValue(inputs) ?? [];
            if (parse.GetValue(summary)) return Summarise(paths, parse.GetValue(format) == "markdown", output: parse.GetValue(output), stdout, stderr);
            double seconds = parse.GetValue(threshold);
            if (!(seconds >= 0 && seconds < 1e9))
            {
                stderr.WriteLine($"tracefx: --stall-threshold wants seconds (0 or more), not '{seconds}'");
                return Program.ExitUsageOrNoInput;
            }
            var options = new AnalysisOptions { StallThresholdNs = (long)(seconds * 1e9) };
            var path = parse.GetValue(output) ?? "triage.parquet";
            bool progress = !parse.GetValue(quiet) && ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;
            var counts = new Counts();
            try
            {
                OutputTarget.Write(path, s => Run(TriageInputs.Expand(paths), new TriageAnalysis(options), parse.GetValue(jobs), s, counts, progress ? stderr : null));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine(Events.Model.UntrustedText.ForTerminal($"tracefx: cannot write {path}: {e.Message}; a regular file there is left as it was (a pipe or device may have taken part of it)"));
                return Program.ExitUsageOrNoInput;
            }
            stderr.WriteLine(Events.Model.UntrustedText.ForTerminal(
                $"tracefx: {counts.Inputs} inputs, {counts.Rows} rows ({counts.Diagnostics} diagnostic) written to {path}"));
            return counts.Diagnostics > 0 ? Program.ExitInputErrors : Program.ExitOk;
        });
        return command;
    }

    internal sealed class Counts
    {
        public long Inputs;
        public long Rows;
        public long Diagnostics;
    }

    /// <summary>The pipeline: one thread lists the inputs, <paramref name="jobs"/> threads analyse them, this thread
    /// writes their rows in the inputs' order (the file is the same whatever the number of jobs). The lister waits while
    /// <see cref="WindowPerJob"/> results per job wait to be written, so memory is bounded by the window, not by the
    /// number of inputs.</summary>
    internal static void Run(IEnumerable<TriageInput> inputs, TriageAnalysis analysis, int jobs, Stream output, Counts counts, TextWriter? progress)
    {
        using var writer = new TriageParquetWriter(output);
        using var window = new SemaphoreSlim(jobs * WindowPerJob);
        using var work = new BlockingCollection<(long Seq, TriageInput Input)>(jobs * 2);
        var done = new Dictionary<long, List<TriageRow>>();
        var gate = new object();
        long listed = -1;
        Exception? failure = null;
        var lister = new Thread(() =>
        {
            long n = 0;
            try
            {
                foreach (var input in inputs)
                {
                    window.Wait();
                    work.Add((n++, input));
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                work.CompleteAdding();
                lock (gate)
                {
                    listed = n;
                    Monitor.PulseAll(gate);
                }
            }
        }) { IsBackground = true, Name = "triage-list" };
        var workers = Enumerable.Range(0, jobs).Select(i => new Thread(() =>
        {
            foreach (var (seq, input) in work.GetConsumingEnumerable())
            {
                var rows = analysis.Run(input);
                lock (gate)
                {
                    done[seq] = rows;
                    Monitor.PulseAll(gate);
                }
            }
        }) { IsBackground = true, Name = $"triage-{i}" }).ToList();
        lister.Start();
        workers.ForEach(t => t.Start());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long lastDraw = -1000;
        for (long next = 0; ; next++)
        {
            List<TriageRow>? rows;
            lock (gate)
            {
                while (!done.Remove(next, out rows))
                {
                    if (listed >= 0 && next >= listed) break;
                    Monitor.Wait(gate);
                }
            }
            if (rows is null) break;
            foreach (var row in rows)
            {
                writer.Add(row);
                if (row.Kind == TriageRow.DiagnosticKind) counts.Diagnostics++;
            }
            counts.Rows += rows.Count;
            counts.Inputs++;
            window.Release();
            if (progress is not null && clock.ElapsedMilliseconds - lastDraw >= 250)
            {
                lastDraw = clock.ElapsedMilliseconds;
                progress.Write($"\rtracefx: {counts.Inputs:N0} inputs, {counts.Rows:N0} rows, {counts.Inputs / Math.Max(clock.Elapsed.TotalSeconds, 0.001):N0} inputs/s   ");
            }
        }
        workers.ForEach(t => t.Join());
        if (progress is not null && lastDraw >= 0) progress.Write("\r" + new string(' ', 78) + "\r");
        if (failure is not null) throw new IOException($"listing the inputs failed: {failure.Message}", failure);
    }

    private static int Summarise(string[] files, bool markdown, string? output, TextWriter stdout, TextWriter stderr)
    {
        TriageSummary.Result result;
        try
        {
            result = TriageSummary.Read(files);
        }
        catch (DuckDB.NET.Data.DuckDBException e)
        {
            stderr.WriteLine(Events.Model.UntrustedText.ForTerminal($"tracefx: cannot read {string.Join(", ", files)}: {e.Message}"));
            return Program.ExitUsageOrNoInput;
        }
        bool ok = CommandOutput.Emit(output, stdout, stderr, CommandOutput.Text(w =>
        {
            if (markdown) TriageSummary.WriteMarkdown(result, w);
            else TriageSummary.WriteTable(result, w);
        }));
        return ok ? Program.ExitOk : Program.ExitUsageOrNoInput;
    }
}
