using System.Text;
using TraceForensics.Analysis;
using TraceForensics.Cli.Commands;
using TraceForensics.Cli.Findings;
using TraceForensics.Events.Reading;
using TraceForensics.Ingest.Formats;

namespace TraceForensics.Fuzz;

/// <summary>What <c>tracefx analyze</c> does with an input, without its error boundary: open (magic bytes,
/// decompression, sniffing), detect or take the format, read, decode, replay, analyse, then write the diagnostics and
/// the findings as text and JSON. Output goes nowhere; any exception escapes to the fuzzer.</summary>
internal static class ToolPath
{
    public static void Analyze(byte[] input, TraceFormat format, string? eventsMap = null)
    {
        var options = new TraceSessionOptions { Format = format, EventsMapPath = eventsMap };
        using var session = TraceSession.Open([("fuzz-input", () => (Stream)new MemoryStream(input, writable: false))], options);
        var result = TraceAnalysis.Run(session, new AnalysisOptions());
        var report = new AnalysisReport
        {
            Inputs = result.Inputs,
            InputHashes = result.Inputs.Select(_ => "").ToList(),
            Findings = result.Findings,
            Diagnostics = result.Diagnostics,
        };
        DiagnosticsPrinter.Print(report.Diagnostics, TextWriter.Null);
        FindingsTextWriter.Write(report, TextWriter.Null);
        FindingsJsonWriter.Write(report, Stream.Null);
    }

    /// <summary>A small ftrace trace whose probes (<c>fuzz_lock</c>, <c>fuzz_unlock</c>, <c>fuzz_wait</c>) mean
    /// something only through an events map.</summary>
    private static readonly byte[] MappedTrace = Encoding.ASCII.GetBytes("""
        # tracer: nop
        #
              writer-100     [000] .....   10.000000: fuzz_lock: (folio_lock+0x0/0x40) folio=0xffffea0000010000
              writer-100     [000] .....   10.000100: sched_switch: prev_comm=writer prev_pid=100 prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120
              reader-200     [001] .....   10.000200: fuzz_wait: (folio_wait_bit_common+0x0/0x300) folio=0xffffea0000010000
              reader-200     [001] .....   10.000300: sched_switch: prev_comm=reader prev_pid=200 prev_prio=120 prev_state=D ==> next_comm=swapper/1 next_pid=0 next_prio=120
              writer-100     [000] .....   15.000000: fuzz_unlock: (folio_unlock+0x0/0x40) folio=0xffffea0000010000

        """);

    /// <summary>The fuzzer's bytes as the <c>--events-map</c> file (read by path, as the tool does), with
    /// <see cref="MappedTrace"/> as the input.</summary>
    public static void AnalyzeWithEventsMap(byte[] map)
    {
        var path = Path.Combine(Path.GetTempPath(), $"tracefx-fuzz-events-map-{Environment.ProcessId}.txt");
        File.WriteAllBytes(path, map);
        try { Analyze(MappedTrace, TraceFormat.Unknown, path); }
        finally { File.Delete(path); }
    }
}
