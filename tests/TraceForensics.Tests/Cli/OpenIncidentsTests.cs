using TraceForensics.Analysis.Findings;
using TraceForensics.Cli.Watch;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Cli;

/// <summary>How a watch tells a new hang from one it wrote already and from one whose chain grew (a task that blocked
/// behind it later), on the real frozen-backing stall: its earliest-blocked task alone first, then the whole chain.</summary>
public class OpenIncidentsTests
{
    private static (Finding Whole, Finding FirstOnly) Stall()
    {
        var path = Path.Combine(Require.RealTraces(), "xfs-frozen-backing-stall.ftrace.txt");
        var whole = Assert.Single(Analyze.Files(path), f => f.Kind == FindingKind.Stall);
        Assert.True(whole.Tasks.Count >= 2, "the capture's stall names the loop worker and dd");
        var firstOnly = new Finding
        {
            Id = whole.Id, Kind = whole.Kind, Summary = whole.Summary, AtNs = whole.AtNs, Chain = whole.Chain,
            Tasks = [OpenIncidents.First(whole)],
        };
        return (whole, firstOnly);
    }

    [SkippableFact]
    public void A_chain_that_grows_is_written_again_once_the_rewrite_time_has_passed_and_never_twice_for_the_same_tasks()
    {
        var (whole, firstOnly) = Stall();
        var open = new OpenIncidents();
        var t0 = TimeSpan.FromSeconds(100);
        Assert.Equal(OpenIncidents.Verdict.New, open.Classify(firstOnly, t0, out _, out _));
        open.Added("incident-1", firstOnly, t0);
        Assert.Equal(OpenIncidents.Verdict.Known, open.Classify(firstOnly, t0 + TimeSpan.FromSeconds(60), out _, out _));

        // dd joins: not written again before RewriteEvery, then once, naming exactly the tasks that joined.
        Assert.Equal(OpenIncidents.Verdict.Known, open.Classify(whole, t0 + TimeSpan.FromSeconds(1), out _, out _));
        var later = t0 + OpenIncidents.RewriteEvery;
        Assert.Equal(OpenIncidents.Verdict.Grown, open.Classify(whole, later, out var grown, out var joined));
        Assert.Equal("incident-1", grown!.Dir);
        Assert.Equal(whole.Tasks.Select(t => t.Pid).Except([OpenIncidents.First(whole).Pid]).Order(), joined.Select(t => t.Pid).Order());

        // A rewrite that failed is tried again after RewriteEvery; one that succeeded is not repeated.
        OpenIncidents.Rewritten(grown, whole, later, written: false);
        Assert.Equal(OpenIncidents.Verdict.Known, open.Classify(whole, later + TimeSpan.FromSeconds(1), out _, out _));
        Assert.Equal(OpenIncidents.Verdict.Grown, open.Classify(whole, later + OpenIncidents.RewriteEvery, out _, out _));
        OpenIncidents.Rewritten(grown, whole, later + OpenIncidents.RewriteEvery, written: true);
        Assert.Equal(OpenIncidents.Verdict.Known, open.Classify(whole, later + TimeSpan.FromHours(1), out _, out _));
    }

    [SkippableFact]
    public void A_cleared_hang_or_one_that_could_not_be_written_is_not_written_again()
    {
        var (whole, firstOnly) = Stall();
        var open = new OpenIncidents();
        open.Added("incident-1", firstOnly, TimeSpan.Zero);
        open.Close(Assert.Single(open.Open));
        Assert.Empty(open.Open);
        Assert.Equal(OpenIncidents.Verdict.Known, open.Classify(whole, TimeSpan.FromHours(1), out _, out _));

        var elsewhere = new OpenIncidents();
        elsewhere.Added(null, whole, TimeSpan.Zero); // -o and the fallback both refused it
        Assert.Empty(elsewhere.Open);
        Assert.Equal(OpenIncidents.Verdict.Known, elsewhere.Classify(whole, TimeSpan.FromHours(1), out _, out _));
    }
}

/// <summary>An incident written again is put in place at once: the directory holds the new files and none of the old.</summary>
public sealed class DirectorySwapTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tracefx-swap-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_replacement_takes_the_directorys_place_and_the_old_files_go()
    {
        var incident = Path.Combine(_dir, "incident-20261203T120000Z");
        Directory.CreateDirectory(incident);
        File.WriteAllText(Path.Combine(incident, "dmesg.txt"), "old log");
        File.WriteAllText(Path.Combine(incident, "findings.txt"), "old");
        var replacement = Path.Combine(_dir, ".incident-20261203T120000Z.rewrite");
        Directory.CreateDirectory(replacement);
        File.WriteAllText(Path.Combine(replacement, "findings.txt"), "new");
        DirectorySwap.Replace(incident, replacement);
        Assert.Equal("new", File.ReadAllText(Path.Combine(incident, "findings.txt")));
        Assert.False(File.Exists(Path.Combine(incident, "dmesg.txt")));
        Assert.Equal([incident], Directory.GetFileSystemEntries(_dir));
    }
}
