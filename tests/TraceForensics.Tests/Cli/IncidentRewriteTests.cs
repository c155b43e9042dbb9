using TraceForensics.Cli.Watch;
using TraceForensics.Tests.Tui;

namespace TraceForensics.Tests.Cli;

/// <summary>An open incident written again over its directory (watch: its chain grew).</summary>
public class IncidentRewriteTests
{
    private static void WriteTrace(string dir, CancellationToken _) => File.WriteAllText(Path.Combine(dir, "trace.txt"), "new\n");

    [Fact]
    public void The_directory_gets_the_new_files_and_none_of_the_old()
    {
        using var temp = new TempDirectory();
        var dir = Directory.CreateDirectory(Path.Combine(temp.Path, "incident-0001")).FullName;
        File.WriteAllText(Path.Combine(dir, "trace.txt"), "old\n");
        File.WriteAllText(Path.Combine(dir, "dmesg.txt"), "old\n");
        Assert.Equal(IncidentRewrite.Outcome.Written, IncidentRewrite.Run(dir, WriteTrace, TimeSpan.FromMinutes(1)));
        Assert.Equal("new\n", File.ReadAllText(Path.Combine(dir, "trace.txt")));
        Assert.False(File.Exists(Path.Combine(dir, "dmesg.txt")));
        Assert.Equal([dir], Directory.GetFileSystemEntries(temp.Path)); // no replacement left beside it
    }

    /// <summary>Log rotation moved -o away and SIGHUP made it again, empty: the incident's directory is gone. Nothing is
    /// written (before, the replacement was made and filled in the new -o, the swap then failed, every 10 s).</summary>
    [Fact]
    public void A_directory_moved_away_is_gone_and_nothing_is_left_in_its_place()
    {
        using var temp = new TempDirectory();
        var output = Directory.CreateDirectory(Path.Combine(temp.Path, "out")).FullName;
        var dir = Directory.CreateDirectory(Path.Combine(output, "incident-0001")).FullName;
        Directory.Move(output, output + ".1"); // logrotate
        Directory.CreateDirectory(output); // the SIGHUP's -o made again
        bool wrote = false;
        Assert.Equal(IncidentRewrite.Outcome.Gone, IncidentRewrite.Run(dir, (d, c) => { wrote = true; WriteTrace(d, c); }, TimeSpan.FromMinutes(1)));
        Assert.False(wrote);
        Assert.Empty(Directory.GetFileSystemEntries(output));
        Assert.True(Directory.Exists(Path.Combine(output + ".1", "incident-0001"))); // the moved one untouched
    }
}
