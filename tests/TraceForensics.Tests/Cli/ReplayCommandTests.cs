using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Cli;

public class ReplayCommandTests
{
    private static string Sample(string name) => Path.Combine(TestPaths.SampleTraces, name);

    [Fact]
    public void State_at_T_shows_the_blocked_tasks_the_held_page_and_the_unsubmitted_bio()
    {
        var (exit, stdout, _) = Run.Cli("replay", "--at", "338.9004", Sample("lkml-xfs-kprobe-holder.ftrace.txt"));
        Assert.Equal(0, exit);
        Assert.Contains("state at 338.900400", stdout);
        Assert.Contains("tasks in D (2):", stdout);
        Assert.Contains("postgres:47211 since 338.900235", stdout);
        Assert.Contains("waits for writeback of page 8:16 ino 131 index 100", stdout);
        Assert.Contains("faulted page 8:16 ino 131 index 101", stdout);
        Assert.Contains("page 8:16 ino 131 index 101 held by postgres:47211 [observed]", stdout);
        Assert.Contains("bio 8:16 sector 163840 + 8 (1 pages) built by kworker/u8:9:47190: NOT submitted", stdout);
    }

    [Fact]
    public void Before_the_scenario_nothing_of_it_is_there()
    {
        var (_, stdout, _) = Run.Cli("replay", "--at", "338.9001", Sample("lkml-xfs-kprobe-holder.ftrace.txt"));
        Assert.DoesNotContain("postgres:47211 since", stdout);
        Assert.Contains("#1 bio 8:16 sector 163840", stdout); // W built its ioend at 338.900012
    }

    [Fact]
    public void At_is_required_and_must_be_a_time()
    {
        Assert.Equal(2, Run.Cli("replay", Sample("xfs-fsync.ftrace.txt")).Exit);
        Assert.Equal(2, Run.Cli("replay", "--at", "noon", Sample("xfs-fsync.ftrace.txt")).Exit);
    }
}
