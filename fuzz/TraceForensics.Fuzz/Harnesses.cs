using TraceForensics.Ingest.Formats;

namespace TraceForensics.Fuzz;

/// <summary>One harness per reader: the fuzzer's bytes go through the tool's own path for that reader
/// (<see cref="ToolPath"/>), as <c>--input-format NAME</c> would send them, or as detection would for the decompressors.</summary>
internal static class Harnesses
{
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>
    {
        ["ftrace"] = bytes => ToolPath.Analyze(bytes, TraceFormat.Ftrace),
        ["trace-cmd"] = bytes => ToolPath.Analyze(bytes, TraceFormat.TraceCmd),
        ["perf-script"] = bytes => ToolPath.Analyze(bytes, TraceFormat.PerfScript),
        ["dmesg"] = bytes => ToolPath.Analyze(bytes, TraceFormat.Dmesg),
        ["topology"] = bytes => ToolPath.Analyze(bytes, TraceFormat.Topology),
        ["trace-dat"] = bytes => ToolPath.Analyze(bytes, TraceFormat.TraceDat),
        // gzip, zstd and xz are recognised by their magic bytes, then the format by the decompressed head (no --input-format).
        ["decompress"] = bytes => ToolPath.Analyze(bytes, TraceFormat.Unknown),
        // The fuzzer's bytes are the --events-map file; the trace read with it is a fixed one naming mapped probes.
        ["events-map"] = ToolPath.AnalyzeWithEventsMap,
    };

    public static IEnumerable<string> Names => All.Keys;
}
