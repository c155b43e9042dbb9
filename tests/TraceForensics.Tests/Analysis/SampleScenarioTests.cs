using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Analysis;

/// <summary>The known-answer samples (made by tools/TraceForensics.Scenarios, spliced into real captures) give
/// exactly their expected findings, in ftrace and in perf-script form.</summary>
public class SampleScenarioTests
{
    public static TheoryData<string, string> Samples()
    {
        var data = new TheoryData<string, string>();
        foreach (var expected in Directory.GetFiles(TestPaths.SampleTraces, "*.expected.txt").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(expected)[..^".expected.txt".Length];
            data.Add(name, "ftrace");
            data.Add(name, "perf-script");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_gives_exactly_its_expected_findings(string name, string format)
    {
        var trace = Path.Combine(TestPaths.SampleTraces, $"{name}.{format}.txt");
        var findings = Analyze.Files(trace);
        Assert.Equal(Analyze.ExpectedFindings(Path.Combine(TestPaths.SampleTraces, $"{name}.expected.txt")),
                     findings.Select(Analyze.Signature).ToList());
    }

    [Fact]
    public void There_are_samples_for_each_shape()
    {
        var names = Samples().Select(row => (string)row[0]).Distinct().ToList();
        Assert.Contains("lkml-xfs-kprobe-holder", names);
        Assert.Contains("lkml-xfs-fault-inferred", names);
        Assert.Contains("lkml-xfs-near-miss", names);
        Assert.Contains("lkml-ext4-kprobe-holder", names);
        Assert.Contains("lkml-xfs-potential", names);
        Assert.Contains("xfs-bio-never-completes", names);
    }

    [Fact]
    public void Deadlock_names_tasks_pages_bio_and_evidence()
    {
        var findings = Analyze.Files(Path.Combine(TestPaths.SampleTraces, "lkml-xfs-kprobe-holder.ftrace.txt"));
        var deadlock = findings[0];
        Assert.Equal(FindingKind.Deadlock, deadlock.Kind);
        Assert.Equal([47211, 47190], deadlock.Tasks.Select(t => t.Pid));
        Assert.Equal("folio_wait_writeback", deadlock.Tasks[0].BlockedIn);
        Assert.Equal("writeback_iter", deadlock.Tasks[1].BlockedIn);
        Assert.All(deadlock.Tasks, t => Assert.NotNull(t.HangReport));
        Assert.All(deadlock.Chain, e => Assert.NotEmpty(e.Lines));
        Assert.All(deadlock.Chain, e => Assert.True(e.Observed)); // the holder is observed through the probes here
        Assert.Contains("(not submitted), built by kworker/u8:9:47190", deadlock.Summary);
        Assert.StartsWith("deadlock: postgres:47211 waits for writeback of page 8:16 ino 131 index 100", deadlock.Summary);
        Assert.Equal(338_900_305_000L, deadlock.AtNs); // when W's sleep closed the cycle
    }

    [Fact]
    public void Inferred_holder_names_its_rule()
    {
        var findings = Analyze.Files(Path.Combine(TestPaths.SampleTraces, "lkml-xfs-fault-inferred.ftrace.txt"));
        var held = Assert.Single(findings[0].Chain, e => e.Relation == Relation.HeldBy);
        Assert.False(held.Observed);
        Assert.Equal("fault-holds-faulted-page", held.RuleId());
    }

    [Fact]
    public void Scenario_builder_regenerates_the_committed_samples()
    {
        foreach (var (path, text) in TraceForensics.Scenarios.Program.Render(TestPaths.SampleTraces))
            Assert.True(File.ReadAllText(path) == text, $"{Path.GetFileName(path)} differs from what the scenario builder makes; " +
                "run `dotnet run --project tools/TraceForensics.Scenarios -- sample-traces`");
    }
}
