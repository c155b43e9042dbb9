using System.Text.Json;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Cli;

public class AnalyzeCommandTests
{
    private static string Sample(string name) => Path.Combine(TestPaths.SampleTraces, name);

    [Theory]
    [InlineData("lkml-xfs-kprobe-holder.ftrace.txt", "deadlock", 1)]
    [InlineData("lkml-xfs-near-miss.ftrace.txt", "deadlock", 0)]
    [InlineData("xfs-bio-never-completes.ftrace.txt", "deadlock", 0)]
    [InlineData("xfs-bio-never-completes.ftrace.txt", "stall", 1)]
    [InlineData("lkml-xfs-kprobe-holder.perf-script.txt", "none", 0)]
    [InlineData("xfs-fsync.ftrace.txt", "stall", 0)]
    public void Exit_code_follows_fail_on(string sample, string failOn, int exit)
    {
        var (code, stdout, _) = Run.Cli("analyze", "--fail-on", failOn, Sample(sample));
        Assert.Equal(exit, code);
        Assert.StartsWith("verdict: ", stdout);
    }

    [Fact]
    public void Json_follows_the_findings_v1_contract()
    {
        var (code, stdout, _) = Run.Cli("analyze", "--format", "json", Sample("lkml-xfs-kprobe-holder.ftrace.txt"));
        Assert.Equal(1, code);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal("traceforensics/findings/v1", root.GetProperty("schema").GetString());
        Assert.Equal("deadlock", root.GetProperty("verdict").GetString());
        var input = Assert.Single(root.GetProperty("inputs").EnumerateArray());
        Assert.Equal(64, input.GetProperty("sha256").GetString()!.Length);
        var f = root.GetProperty("findings")[0];
        Assert.Equal("F1", f.GetProperty("id").GetString());
        Assert.Equal("deadlock", f.GetProperty("kind").GetString());
        Assert.Equal(338.900305m, f.GetProperty("at").GetDecimal());
        var chain = f.GetProperty("chain").EnumerateArray().ToList();
        Assert.Equal(["waits-for-writeback", "in-bio", "unsubmitted-bio-owned-by", "waits-for-page-lock", "held-by"],
            chain.Select(e => e.GetProperty("relation").GetString()));
        Assert.Equal("task:47211", chain[0].GetProperty("from").GetString());
        Assert.Equal("writeback:8:16:131:100", chain[0].GetProperty("to").GetString());
        Assert.Equal("bio:8:16:163840", chain[1].GetProperty("to").GetString());
        Assert.All(chain, e => Assert.Equal("observed", e.GetProperty("evidence").GetString()));
        Assert.All(chain, e => Assert.NotEqual(0, e.GetProperty("lines").GetArrayLength()));
        var pages = f.GetProperty("pages").EnumerateArray().Select(p => (p.GetProperty("dev").GetString(), p.GetProperty("ino").GetInt64(), p.GetProperty("index").GetInt64())).ToList();
        Assert.Equal([("8:16", 131L, 100L), ("8:16", 131L, 101L)], pages);
        var bio = Assert.Single(f.GetProperty("bios").EnumerateArray());
        Assert.False(bio.GetProperty("submitted").GetBoolean());
        Assert.Equal(163840, bio.GetProperty("sector").GetInt64());
        Assert.Contains("folio_wait_writeback", f.GetProperty("stacks").GetProperty("47211").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal("shrink_folio_list", f.GetProperty("tasks")[0].GetProperty("blockedIn").GetString()); // the caller of folio_wait_writeback
    }

    [Fact]
    public void Same_input_gives_byte_identical_findings()
    {
        foreach (var format in new[] { "text", "json" })
        {
            var a = Run.Cli("analyze", "--format", format, Sample("lkml-xfs-fault-inferred.perf-script.txt"), Sample("xfs-frozen-backing-stall.dmesg.txt"));
            var b = Run.Cli("analyze", "--format", format, Sample("lkml-xfs-fault-inferred.perf-script.txt"), Sample("xfs-frozen-backing-stall.dmesg.txt"));
            Assert.Equal(a.Stdout, b.Stdout);
        }
    }

    [Fact]
    public void Until_stops_before_the_cycle_closes_and_pid_filters()
    {
        Assert.Equal(0, Run.Cli("analyze", "--until", "338.900300", Sample("lkml-xfs-kprobe-holder.ftrace.txt")).Exit);
        var other = Run.Cli("analyze", "--pid", "1", Sample("lkml-xfs-kprobe-holder.ftrace.txt"));
        Assert.Equal(0, other.Exit);
        Assert.StartsWith("verdict: clean", other.Stdout);
        Assert.Equal(2, Run.Cli("analyze", "--since", "yesterday", Sample("lkml-xfs-kprobe-holder.ftrace.txt")).Exit);
    }
}
