using TraceForensics.Analysis;
using TraceForensics.Events.Dictionary;
using TraceForensics.Events.Reading;
using TraceForensics.Ingest.Diagnostics;
using TraceForensics.Ingest.Formats;
using TraceForensics.Ingest.Input;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Robustness;

/// <summary>The fuzzers' seeds (<c>fuzz/seeds/READER/</c>) are inputs their reader takes as valid: read as the harness
/// reads them (the reader's <c>--input-format</c>, detection for the decompressors), each gives events and no error
/// diagnostic. A seed a reader no longer takes would leave its fuzzer mutating rejected input.</summary>
public sealed class FuzzSeedTests
{
    private static readonly Dictionary<string, TraceFormat> Readers = new()
    {
        ["ftrace"] = TraceFormat.Ftrace,
        ["trace-cmd"] = TraceFormat.TraceCmd,
        ["perf-script"] = TraceFormat.PerfScript,
        ["dmesg"] = TraceFormat.Dmesg,
        ["topology"] = TraceFormat.Topology,
        ["trace-dat"] = TraceFormat.TraceDat,
        ["decompress"] = TraceFormat.Unknown,
    };

    private static string Seeds => Path.Combine(TestPaths.RepoRoot, "fuzz", "seeds");

    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        foreach (var reader in Readers.Keys)
            foreach (var file in Directory.GetFiles(Path.Combine(Seeds, reader)).Order(StringComparer.Ordinal))
                data.Add(reader, Path.GetFileName(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Each_seed_is_read_by_its_reader_without_errors(string reader, string seed)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Seeds, reader, seed));
        using var session = TraceSession.Open([(seed, () => (Stream)new MemoryStream(bytes))], new TraceSessionOptions { Format = Readers[reader] });
        var result = TraceAnalysis.Run(session, new AnalysisOptions());
        Assert.DoesNotContain(result.Diagnostics.Kept, d => d.Severity == DiagnosticSeverity.Error);
        Assert.True(result.Inputs[0].Events > 0, $"{reader}/{seed}: no events");
        if (reader == "decompress") Assert.NotEqual(Compression.None, result.Inputs[0].Compression);
    }

    [Fact]
    public void The_events_map_seed_maps_each_of_its_lines()
    {
        var diagnostics = new DiagnosticLog();
        int mapped = EventsMapFile.Load(Path.Combine(Seeds, "events-map", "map.txt"), new EventDictionary(), diagnostics);
        Assert.Equal(3, mapped);
        Assert.Empty(diagnostics.Kept);
    }
}
