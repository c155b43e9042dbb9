using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Hostile;

/// <summary>Options out of range are usage errors in words (exit 2); an --events-map is read with a size bound and a
/// missing one stops the run; replay --at past the end says so.</summary>
public class CliLimitTests
{
    private static readonly string Lkml = Path.Combine(TestPaths.SampleTraces, "lkml-xfs-kprobe-holder.ftrace.txt");

    /// <summary>Issue 16, item 11: <c>--pid -5</c>, <c>--stall-threshold -1</c> and <c>NaN</c> were accepted,
    /// <c>--pid 99999999999</c> printed a .NET type name.</summary>
    [Theory]
    [InlineData("--pid", "-5", "a task's pid (0 to 4194303)")]
    [InlineData("--pid", "99999999999", "a task's pid (0 to 4194303)")]
    [InlineData("--pid", "4194304", "a task's pid (0 to 4194303)")]
    [InlineData("--pid", "abc", "a task's pid (0 to 4194303)")]
    [InlineData("--stall-threshold", "-1", "seconds (0 or more)")]
    [InlineData("--stall-threshold", "NaN", "seconds (0 or more)")]
    [InlineData("--stall-threshold", "-Infinity", "seconds (0 or more)")]
    public void A_number_option_out_of_range_is_a_usage_error_in_words(string option, string value, string wants)
    {
        var (exit, stdout, stderr) = Run.Cli("analyze", option, value, Lkml);
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Contains($"{option} wants {wants}, not '{value}'", stderr);
        Assert.DoesNotContain("System.", stderr);
    }

    /// <summary>Issue 16, item 4: <c>analyze /dev/zero</c> never ended (the input was read again for its hash). An endless
    /// input of NUL bytes is rejected from its first MiB, read once; no verdict.</summary>
    [Fact]
    public void An_endless_input_of_nul_bytes_is_rejected_from_its_head()
    {
        var (exit, stdout, stderr) = Run.Cli("analyze", "/dev/zero");
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Contains("/dev/zero: error: no line break in its first 1048576 bytes (all NUL bytes)", stderr);
        Assert.Contains("no verdict", stderr);
    }

    [Fact]
    public void A_pid_in_range_is_taken()
    {
        var (exit, stdout, _) = Run.Cli("analyze", "--pid", "47211", Lkml);
        Assert.Equal(1, exit);
        Assert.StartsWith("verdict: deadlock", stdout);
    }

    [Fact]
    public void A_missing_or_oversized_events_map_stops_the_run_with_exit_2()
    {
        var big = Run.TempFile(string.Concat(Enumerable.Repeat("# a comment line of an events map that goes on\n", (1 << 20) / 47 + 1)));
        try
        {
            foreach (var (map, why) in new[] { ("/nonexistent/tracefx.map", "cannot read the events map"), (big, "the events map is over 1 MiB"), ("/dev/zero", "the events map is over 1 MiB") })
            {
                var (exit, stdout, stderr) = Run.Cli("analyze", "--events-map", map, Lkml);
                Assert.Equal(2, exit);
                Assert.Equal("", stdout);
                Assert.Contains(why, stderr);
                Assert.Contains("[bad-events-map]", stderr);
            }
        }
        finally
        {
            File.Delete(big);
        }
    }

    [Fact]
    public void An_events_map_under_the_bound_applies()
    {
        var map = Run.TempFile("\uFEFFmy_lock_wait page-lock-wait\n");
        try
        {
            var (exit, _, stderr) = Run.Cli("analyze", "--events-map", map, Lkml);
            Assert.Equal(1, exit);
            Assert.DoesNotContain("bad-events-map", stderr);
        }
        finally
        {
            File.Delete(map);
        }
    }

    [Fact]
    public void Replay_at_a_time_past_the_end_says_so()
    {
        var (exit, stdout, stderr) = Run.Cli("replay", "--at", "99999", Lkml);
        Assert.Equal(0, exit);
        Assert.StartsWith("state at 99999.000000", stdout);
        Assert.Matches(@"--at 99999\.000000 is past the end of the trace \(last event at 3\d\d\.\d{6}\)", stderr);
        var (_, _, within) = Run.Cli("replay", "--at", "338.9", Lkml);
        Assert.DoesNotContain("past the end", within);
    }

    [Fact]
    public void A_usage_error_shows_the_argument_escaped()
    {
        var (exit, _, stderr) = Run.Cli("analyze", "--pid", "1\u001b]0;x\u0007", Lkml);
        Assert.Equal(2, exit);
        HostileTextTests.AssertNoControl("usage error", stderr);
        Assert.Contains("1\\x1b]0;x\\x07", stderr);
    }

    [Fact]
    public void Standard_input_given_twice_is_a_usage_error()
    {
        var (exit, stdout, stderr) = Run.Cli("analyze", "-", "-");
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Contains("standard input (-) can be given once", stderr);
    }

    [SkippableFact]
    public void The_tui_without_a_terminal_says_so_instead_of_waiting()
    {
        // The test runner's stdin and stdout are not a terminal, like `tracefx tui t.txt </dev/null`.
        Skip.IfNot(Console.IsInputRedirected || Console.IsOutputRedirected, "run with a terminal: the UI would open");
        var (exit, _, stderr) = Run.Cli("tui", Lkml);
        Assert.Equal(2, exit);
        Assert.Contains("tui needs a terminal", stderr);
    }

    [Fact]
    public void A_csv_set_whose_third_table_cannot_be_written_writes_none_and_says_so()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "tasks.csv")); // the third table cannot be written
            var (exit, _, stderr) = Run.Cli("report", "--format", "csv", "-o", dir, Lkml);
            Assert.Equal(2, exit);
            Assert.Contains($"cannot write {Path.Combine(dir, "tasks.csv")}: it is a directory", stderr);
            Assert.Contains($"no file in {dir} was written or replaced", stderr);
            Assert.Equal(["tasks.csv"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
