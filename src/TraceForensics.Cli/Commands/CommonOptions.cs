using System.CommandLine;
using TraceForensics.Events.Reading;
using TraceForensics.Ingest.Formats;
using TraceForensics.Ingest.TraceDat;

namespace TraceForensics.Cli.Commands;

/// <summary>Options every reading command takes: the inputs, <c>--input-format</c>, <c>--events-map</c>.</summary>
internal sealed class CommonOptions
{
    public Argument<string[]> Inputs { get; } = new("input")
    {
        Description = "Trace files (ftrace text, trace-cmd report, perf script, dmesg, a topology file; .gz/.zst/.xz), or - for stdin",
        Arity = ArgumentArity.OneOrMore,
    };

    public Option<string?> InputFormat { get; } = new("--input-format")
    {
        Description = "Read every input as this format instead of detecting it",
    };

    public Option<string?> EventsMap { get; } = new("--events-map")
    {
        Description = "File mapping custom event or probe names to meanings (`name kind` per line)",
    };

    /// <summary><c>--format text|json</c>, for commands that print findings or statistics.</summary>
    public static Option<string> TextOrJson()
    {
        var format = new Option<string>("--format") { Description = "Output format", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        return format;
    }

    /// <summary><c>-o FILE</c>: the result goes to a file, written atomically.</summary>
    public static Option<string?> OutputFile() =>
        new("--output", "-o") { Description = "Write to this file (atomically) instead of stdout" };

    public CommonOptions()
    {
        InputFormat.AcceptOnlyFromAmong("ftrace", "trace-cmd", "perf-script", "dmesg", "dotnet-dump", "topology");
        // An unknown --option must not be taken for a file name ("-" alone is stdin).
        Inputs.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
                if (token.Value.Length > 1 && token.Value[0] == '-')
                    result.AddError($"unknown option '{token.Value}' (an input that starts with '-' can be given as ./{token.Value})"); // sanitized where printed
            StandardInputOnce(result);
        });
    }

    /// <summary>Standard input can be read once: two "-" would split its lines between two inputs.</summary>
    public static void StandardInputOnce(System.CommandLine.Parsing.ArgumentResult result)
    {
        if (result.Tokens.Count(t => t.Value == "-") > 1) result.AddError("standard input (-) can be given once");
    }

    public void AddTo(Command command)
    {
        command.Add(Inputs);
        command.Add(InputFormat);
        command.Add(EventsMap);
    }

    /// <summary>The one input when it is a .NET process dump (an ELF core, or --input-format dotnet-dump), else null.</summary>
    public string? DotnetDump(ParseResult parse)
    {
        var inputs = parse.GetValue(Inputs) ?? [];
        if (inputs.Length != 1 || inputs[0] == "-") return null;
        if (parse.GetValue(InputFormat) == "dotnet-dump") return inputs[0];
        // Only a regular file is sniffed: a FIFO or process substitution can be read once, and has no length.
        if (parse.GetValue(InputFormat) is not null || Output.UnixFile.Stat(inputs[0]).Kind != Output.UnixFile.Kind.Regular) return null;
        var head = new byte[4];
        int n;
        using (var f = File.OpenRead(inputs[0])) n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return Ingest.Input.MagicBytes.IsElf(head.AsSpan(0, n)) ? inputs[0] : null;
    }

    /// <summary>The session of the inputs; null (after the diagnostics on stderr) when the --events-map given cannot be
    /// read or is over its size bound: a run without the mapping the user asked for would be quietly wrong.
    /// <paramref name="inputs"/>, when given, are read instead of the command line's (an incident directory's files).</summary>
    public TraceSession? OpenSession(ParseResult parse, TextWriter stderr, bool hashInputs = false, bool readsOnly = false, string[]? inputs = null)
    {
        var session = OpenSession(parse, hashInputs, readsOnly, inputs);
        if (!session.Tables.Diagnostics.Kept.Any(d => d.Code == Ingest.Diagnostics.DiagnosticCodes.BadEventsMap && d.Severity == Ingest.Diagnostics.DiagnosticSeverity.Error))
            return session;
        DiagnosticsPrinter.Print(session.Tables.Diagnostics, stderr);
        session.Dispose();
        return null;
    }

    private TraceSession OpenSession(ParseResult parse, bool hashInputs, bool readsOnly, string[]? inputs)
    {
        var format = TraceFormat.Unknown;
        if (parse.GetValue(InputFormat) is { } name) TraceFormatNames.TryParse(name, out format);
        return TraceSession.Open(inputs ?? parse.GetValue(Inputs) ?? [], new TraceSessionOptions
        {
            Format = format,
            EventsMapPath = parse.GetValue(EventsMap),
            HashInputs = hashInputs,
            Parallelism = ReadingThreads(),
            // stats does little with each event: its thread reads and decodes beside the decoding threads (issue 15).
            ReadAhead = !readsOnly,
        });
    }

    /// <summary>Threads that read the inputs: <c>TRACEFX_THREADS</c> when set (1: one line after the other on one
    /// thread; the output is the same either way); else the processors. Measured on the README's benchmark file on 2
    /// cores, quiet, 2026-12-03 19:45 UTC, native build: analyze 2.20 s on 2 threads against 4.53 s on one, stats 0.98
    /// against 2.55 s (the replay on its own thread, decoding beside it; README, "Benchmark"). An earlier
    /// measurement (analyze 192 MB/s on 2 threads against 228 on one) predates the pipeline that no longer copies events
    /// between threads, and had text analyze read on one thread.</summary>
    private static int ReadingThreads()
    {
        var text = Environment.GetEnvironmentVariable("TRACEFX_THREADS");
        if (int.TryParse(text, out int n) && n is >= 1 and <= 64) return n;
        return Environment.ProcessorCount;
    }
}
