using System.Text.Json;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Cli;

public class StatsCommandTests
{
    private static string Sample(string name) => Path.Combine(TestPaths.SampleTraces, name);

    [Fact]
    public void Json_follows_the_stats_v1_contract()
    {
        var (exit, stdout, _) = Run.Cli("stats", "--format", "json", Sample("xfs-fsync.ftrace.txt"));
        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal("traceforensics/stats/v1", root.GetProperty("schema").GetString());
        var input = Assert.Single(root.GetProperty("inputs").EnumerateArray());
        Assert.Equal("ftrace", input.GetProperty("format").GetString());
        Assert.Equal(4346, input.GetProperty("lines").GetInt64());
        Assert.Equal(2417, input.GetProperty("events").GetInt64());
        Assert.Equal(338.774845m, input.GetProperty("firstTs").GetDecimal());
        Assert.Equal(338.986811m, input.GetProperty("lastTs").GetDecimal());
        Assert.Equal(0, input.GetProperty("lostEvents").GetInt64());
        Assert.Equal(0, input.GetProperty("diagnostics").GetInt64());
        var events = root.GetProperty("events");
        Assert.Equal(252, events.GetProperty("sched_switch").GetInt64());
        Assert.Equal(60, events.GetProperty("folio_wait_writeback").GetInt64());
        Assert.Equal(2417, events.EnumerateObject().Sum(p => p.Value.GetInt64()));
        Assert.True(root.GetProperty("tasks").GetInt32() > 1);
        Assert.True(root.GetProperty("stacks").GetInt32() > 1);
        Assert.Empty(root.GetProperty("diagnostics").EnumerateArray());
    }

    [Fact]
    public void Perf_events_count_without_their_subsystem()
    {
        var perf = "perf  4124 [000]   392.336613:                     sched:sched_switch: prev_comm=perf prev_pid=4124 prev_prio=120 prev_state=D ==> next_comm=migration/0 next_pid=18 next_prio=0\n";
        var file = Path.GetTempFileName();
        File.WriteAllText(file, perf);
        var (exit, stdout, _) = Run.Cli("stats", "--format", "json", file);
        File.Delete(file);
        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(1, doc.RootElement.GetProperty("events").GetProperty("sched_switch").GetInt64());
    }

    [Fact]
    public void Same_input_gives_byte_identical_output()
    {
        string[] inputs = [Sample("xfs-fsync.ftrace.txt"), Sample("xfs-fsync.trace-cmd-report.txt"), Sample("xfs-frozen-backing-stall.ftrace.txt.gz")];
        foreach (var format in new[] { "text", "json" })
        {
            var first = Run.Cli(["stats", "--format", format, .. inputs]);
            var second = Run.Cli(["stats", "--format", format, .. inputs]);
            Assert.Equal(first.Stdout, second.Stdout);
            Assert.Equal(first.Stderr, second.Stderr);
        }
    }

    [Fact]
    public void Several_inputs_are_each_summarised_and_merged()
    {
        var (exit, stdout, _) = Run.Cli("stats", "--format", "json", Sample("xfs-fsync.ftrace.txt"), Sample("xfs-frozen-backing-stall.dmesg.txt"));
        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(stdout);
        var formats = doc.RootElement.GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("format").GetString()).ToList();
        Assert.Equal(["ftrace", "dmesg"], formats);
        Assert.Equal(2, doc.RootElement.GetProperty("events").GetProperty("hung_task").GetInt64());
    }

    [Fact]
    public void Output_file_is_written_and_replaced_atomically()
    {
        var dir = Directory.CreateTempSubdirectory();
        var target = Path.Combine(dir.FullName, "stats.json");
        File.WriteAllText(target, "old");
        var (exit, stdout, _) = Run.Cli("stats", "--format", "json", "-o", target, Sample("xfs-fsync.ftrace.txt"));
        Assert.Equal(0, exit);
        Assert.Equal("", stdout);
        Assert.StartsWith("{", File.ReadAllText(target));
        Assert.Single(Directory.GetFiles(dir.FullName)); // no temporary left behind
        dir.Delete(true);
    }

    [Fact]
    public void Usage_errors_and_unreadable_inputs_exit_2()
    {
        Assert.Equal(2, Run.Cli("stats").Exit);
        Assert.Equal(2, Run.Cli("stats", "--format", "yaml", Sample("xfs-fsync.ftrace.txt")).Exit);
        Assert.Equal(2, Run.Cli("stats", "--no-such-option", Sample("xfs-fsync.ftrace.txt")).Exit);
        var missing = Run.Cli("stats", "/nonexistent/trace.txt");
        Assert.Equal(2, missing.Exit);
        Assert.Contains("/nonexistent/trace.txt", missing.Stderr);
        Assert.Contains("unreadable-input", missing.Stderr);
    }

    [Fact]
    public void Input_format_override_reads_as_told()
    {
        // Read as perf script, ftrace lines are not events: each becomes a diagnostic, and nothing crashes.
        var (exit, stdout, stderr) = Run.Cli("stats", "--input-format", "perf-script", Sample("xfs-fsync.ftrace.txt"));
        Assert.Equal(0, exit);
        Assert.Contains("perf-script", stdout);
        Assert.Contains("unrecognized-line", stderr);
        Assert.Contains("more [unrecognized-line] diagnostics not shown", stderr);
    }

    [Fact]
    public void Reads_stdin_when_the_input_is_a_dash()
    {
        var (exit, stdout, stderr) = Run.CliWithInput(File.ReadAllBytes(Sample("xfs-frozen-backing-stall.ftrace.txt.gz")), "stats", "--format", "json", "-");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var input0 = Assert.Single(doc.RootElement.GetProperty("inputs").EnumerateArray());
        Assert.Equal("-", input0.GetProperty("path").GetString());
        Assert.Equal("gzip", input0.GetProperty("compression").GetString());
        Assert.Equal(5442, input0.GetProperty("events").GetInt64());
    }

    [Fact]
    public void Text_output_strips_control_characters_from_trace_text()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file,
            "    bash-1    [000] .....   0.500000: sched_waking: comm=dd pid=2 prio=120 target_cpu=000\n" +
            "   evil\u001b]0;pwned\u0007-42    [000] .....   1.000000: my\u001b[2Jevent: x=1\n" +
            "    bash-1    [000] .....   1.500000: sched_waking: comm=dd pid=2 prio=120 target_cpu=000\n");
        var (_, stdout, _) = Run.Cli("stats", file);
        File.Delete(file);
        Assert.DoesNotContain('\u001b', stdout);
        Assert.Contains("\\x1b", stdout);
    }
}
