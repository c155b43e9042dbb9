using System.Text.Json;
using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Analysis;

/// <summary>The known-answer samples (made by tools/TraceForensics.Scenarios, spliced into real captures) give
/// exactly their expected findings, in ftrace, perf-script and trace-cmd report form.</summary>
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
            data.Add(name, "trace-cmd-report");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_gives_exactly_its_expected_findings(string name, string format)
    {
        var findings = Analyze.Files(Inputs(name, format));
        Assert.Equal(Analyze.ExpectedFindings(Path.Combine(TestPaths.SampleTraces, $"{name}.expected.txt")),
                     findings.Select(Analyze.Signature).ToList());
    }

    /// <summary>The sample in one form, with the topology file the scenario builder wrote beside it when there is one.</summary>
    private static string[] Inputs(string name, string format)
    {
        var trace = Path.Combine(TestPaths.SampleTraces, $"{name}.{format}.txt");
        var topology = Path.Combine(TestPaths.SampleTraces, $"{name}.topology.txt");
        return File.Exists(topology) ? [trace, topology] : [trace];
    }

    [Fact]
    public void There_are_samples_for_each_shape()
    {
        var names = Samples().Select(row => (string)row[0]).Distinct().ToList();
        Assert.Contains("lkml-xfs-kprobe-holder", names);
        Assert.Contains("lkml-xfs-fault-inferred", names);
        Assert.Contains("lkml-xfs-near-miss", names);
        Assert.Contains("lkml-ext4-kprobe-holder", names);
        Assert.Contains("lkml-ext4-fault-inferred", names);
        Assert.Contains("lkml-ext4-near-miss", names);
        Assert.Contains("lkml-ext4-wbprobe-kprobe-holder", names);
        Assert.Contains("lkml-ext4-wbprobe-fault-inferred", names);
        Assert.Contains("lkml-ext4-wbprobe-near-miss", names);
        Assert.Contains("lkml-btrfs-submits-first", names);
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
        // syzkaller's title rule: the wait helpers (folio_wait_writeback...) are skipped, their caller named.
        Assert.Equal("shrink_folio_list", deadlock.Tasks[0].BlockedIn);
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
        // The witness is the row of the page-lock table that showed the hold: do_read_fault calling (an inlined
        // finish_fault's) __pte_alloc, after __do_fault returned the page locked.
        Assert.Equal("fault-holds-faulted-page:do_read_fault", held.RuleId());
    }

    /// <summary>Each chain edge of a sample's first finding, as the findings/v1 JSON gives it: from, relation, to,
    /// evidence (observed / inferred) and the rule of an inferred edge. Written out by hand (not read from the
    /// expected files, which hold node ids only) so a refactor of the analysis must keep relations, evidence and rules.</summary>
    public static TheoryData<string, string, string, string[]> ChainEdges()
    {
        var data = new TheoryData<string, string, string, string[]>();
        foreach (var format in new[] { "ftrace", "perf-script", "trace-cmd-report" })
        {
            // All edges observed: F's lock of A is seen through the __folio_lock kprobe/kretprobe.
            data.Add("lkml-xfs-kprobe-holder", format, "deadlock", [
                "task:47211 waits-for-writeback writeback:8:16:131:100 observed -",
                "writeback:8:16:131:100 in-bio bio:8:16:163840 observed -",
                "bio:8:16:163840 unsubmitted-bio-owned-by task:47190 observed -",
                "task:47190 waits-for-page-lock pagelock:8:16:131:101 observed -",
                "pagelock:8:16:131:101 held-by task:47211 observed -"]);
            // F took A on the fast path: the holder is inferred from its fault context.
            data.Add("lkml-xfs-fault-inferred", format, "deadlock", [
                "task:47211 waits-for-writeback writeback:8:16:131:100 observed -",
                "writeback:8:16:131:100 in-bio bio:8:16:163840 observed -",
                "bio:8:16:163840 unsubmitted-bio-owned-by task:47190 observed -",
                "task:47190 waits-for-page-lock pagelock:8:16:131:101 observed -",
                "pagelock:8:16:131:101 held-by task:47211 inferred fault-holds-faulted-page:do_read_fault"]);
            // ext4's bio has no disk address before submission: B's writeback joins the builder's bio by inference.
            data.Add("lkml-ext4-kprobe-holder", format, "deadlock", [
                "task:47211 waits-for-writeback writeback:8:16:131:100 observed -",
                "writeback:8:16:131:100 in-bio bio:8:16:unsubmitted-by-47190 inferred writeback-joins-builders-bio",
                "bio:8:16:unsubmitted-by-47190 unsubmitted-bio-owned-by task:47190 observed -",
                "task:47190 waits-for-page-lock pagelock:8:16:131:101 observed -",
                "pagelock:8:16:131:101 held-by task:47211 observed -"]);
            // The same through ext4's tracepoints with the holder inferred from the fault.
            data.Add("lkml-ext4-fault-inferred", format, "deadlock", [
                "task:47211 waits-for-writeback writeback:8:16:131:100 observed -",
                "writeback:8:16:131:100 in-bio bio:8:16:unsubmitted-by-47190 inferred writeback-joins-builders-bio",
                "bio:8:16:unsubmitted-by-47190 unsubmitted-bio-owned-by task:47190 observed -",
                "task:47190 waits-for-page-lock pagelock:8:16:131:101 observed -",
                "pagelock:8:16:131:101 held-by task:47211 inferred fault-holds-faulted-page:do_read_fault"]);
            // B's writeback start seen only through a probe without dev=: the device is that of the inode the flusher
            // writes back (writeback_single_inode_start), and B joins the bio the flusher builds there.
            data.Add("lkml-ext4-wbprobe-kprobe-holder", format, "deadlock", [
                "task:47211 waits-for-writeback writeback:8:16:131:100 observed -",
                "writeback:8:16:131:100 in-bio bio:8:16:unsubmitted-by-47190 inferred inode-writeback-names-page-device",
                "bio:8:16:unsubmitted-by-47190 unsubmitted-bio-owned-by task:47190 observed -",
                "task:47190 waits-for-page-lock pagelock:8:16:131:101 observed -",
                "pagelock:8:16:131:101 held-by task:47211 observed -"]);
            data.Add("lkml-ext4-wbprobe-fault-inferred", format, "deadlock", [
                "task:47211 waits-for-writeback writeback:8:16:131:100 observed -",
                "writeback:8:16:131:100 in-bio bio:8:16:unsubmitted-by-47190 inferred inode-writeback-names-page-device",
                "bio:8:16:unsubmitted-by-47190 unsubmitted-bio-owned-by task:47190 observed -",
                "task:47190 waits-for-page-lock pagelock:8:16:131:101 observed -",
                "pagelock:8:16:131:101 held-by task:47211 inferred fault-holds-faulted-page:do_read_fault"]);
            data.Add("lkml-ext4-near-miss", format, "note", []);
            data.Add("lkml-ext4-wbprobe-near-miss", format, "note", []);
            // Class edges: postgres held a page lock while waiting for writeback (seen); the flusher waited for a page
            // lock while its unsubmitted bio kept pages under writeback (inferred).
            data.Add("lkml-xfs-potential", format, "potential-deadlock", [
                "class:page-lock held-then-waited-by:postgres:47211 class:page-writeback observed -",
                "class:page-writeback held-then-waited-by:kworker/u8:9:47190 class:page-lock inferred unsubmitted-bio-holds-writeback"]);
            data.Add("xfs-bio-never-completes", format, "stall", [
                "task:47300 waits-for-writeback writeback:8:16:132:0 observed -",
                "writeback:8:16:132:0 in-bio bio:8:16:200000 observed -",
                "bio:8:16:200000 in-flight-on device:8:16 observed -"]);
            data.Add("lkml-xfs-near-miss", format, "note", []);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ChainEdges))]
    public void Sample_chain_has_its_relations_evidence_and_rules(string name, string format, string kind, string[] edges)
    {
        var (_, stdout, _) = Run.Cli(["analyze", "--format", "json", .. Inputs(name, format)]);
        using var doc = JsonDocument.Parse(stdout);
        var first = doc.RootElement.GetProperty("findings")[0];
        Assert.Equal(kind, first.GetProperty("kind").GetString());
        var actual = first.GetProperty("chain").EnumerateArray().Select(e =>
        {
            var evidence = e.GetProperty("evidence").GetString();
            var rule = e.GetProperty("rule");
            // an observed edge names no rule; an inferred one always does
            Assert.Equal(evidence == "inferred", rule.ValueKind == JsonValueKind.String);
            return $"{e.GetProperty("from").GetString()} {e.GetProperty("relation").GetString()} {e.GetProperty("to").GetString()} " +
                   $"{evidence} {(rule.ValueKind == JsonValueKind.String ? rule.GetString() : "-")}";
        }).ToList();
        Assert.Equal(edges, actual);
    }

    /// <summary>The btrfs near miss is no deadlock because the flusher's bio was submitted before it slept on A: while
    /// both sleep, B (named by the filemap events' 0:39, the writeback events' btrfs-10 and extent_writepage's fsid, one
    /// page through the topology) is in the flusher's bio, submitted on the block device under the filesystem.</summary>
    [Theory]
    [InlineData("ftrace", 338_903_000_000L)]
    [InlineData("perf-script", 392_403_000_000L)]
    [InlineData("trace-cmd-report", 408_453_000_000L)]
    public void Btrfs_flusher_submits_its_bio_on_the_block_device_before_it_sleeps_on_the_held_page(string format, long whileBothSleepNs)
    {
        using var session = TraceForensics.Events.Reading.TraceSession.Open(Inputs("lkml-btrfs-submits-first", format));
        var engine = new TraceForensics.Replay.ReplayEngine(session.Tables.Stacks);
        while (session.Read(out var e) && e.TimestampNs <= whileBothSleepNs) engine.Apply(e);
        var s = engine.State;
        Assert.True(s.Tasks.Get(47211)!.IsBlocked);
        Assert.True(s.Tasks.Get(47190)!.IsBlocked);
        var b = s.Pages.Get(new TraceForensics.Replay.Pages.PageKey(new TraceForensics.Events.Model.DeviceNumber(0, 39), 257, 100));
        Assert.NotNull(b);
        Assert.True(b.UnderWriteback);
        var bio = Assert.IsType<TraceForensics.Replay.Bios.IoendRecord>(b.Ioend);
        Assert.Equal(47190, bio.BuilderPid);
        Assert.NotNull(bio.Submitted);
        Assert.Null(bio.Completed);
        Assert.Equal(new TraceForensics.Events.Model.DeviceNumber(8, 16), bio.Dev);
        Assert.Equal(TraceForensics.Replay.Evidence.InferenceRules.BuilderSubmitsItsBio, bio.SubmissionRule);
        Assert.Equal(47211, s.Pages.Get(new TraceForensics.Replay.Pages.PageKey(new TraceForensics.Events.Model.DeviceNumber(0, 39), 257, 101))?.LockHolder);
    }

    [Fact]
    public void Scenario_builder_regenerates_the_committed_samples()
    {
        foreach (var (path, text) in TraceForensics.Scenarios.Program.Render(TestPaths.SampleTraces))
            Assert.True(File.ReadAllText(path) == text, $"{Path.GetFileName(path)} differs from what the scenario builder makes; " +
                "run `dotnet run --project tools/TraceForensics.Scenarios -- sample-traces`");
    }
}
