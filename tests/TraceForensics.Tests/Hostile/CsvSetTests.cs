using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Hostile;

/// <summary>The tables of <c>report --format csv -o DIR</c> are one set: a table that cannot be written (a full disk,
/// here a table that is a symlink to /dev/full, which fails every write with ENOSPC) leaves every table as it was,
/// with a message that says so and exit 2. The same on a real full filesystem: <c>Live/CsvSetFullDiskTests</c>.</summary>
public class CsvSetTests
{
    private static readonly string Lkml = Path.Combine(TestPaths.SampleTraces, "lkml-xfs-kprobe-holder.ftrace.txt");

    /// <summary>Writes the set into <paramref name="dir"/> once it can be: exit 1 (the sample's deadlock), no message of a
    /// failure, every table new.</summary>
    internal static void AssertTheSetIsWritten(string dir)
    {
        var (exit, _, stderr) = Run.Cli("report", "--format", "csv", "-o", dir, Lkml);
        Assert.Equal(1, exit);
        Assert.DoesNotContain("cannot write", stderr);
        Assert.StartsWith("id,kind,at,root,tasks,summary\n", File.ReadAllText(Path.Combine(dir, "findings.csv")));
        Assert.StartsWith("finding,pid,comm,", File.ReadAllText(Path.Combine(dir, "tasks.csv")));
        Assert.StartsWith("finding,step,from,", File.ReadAllText(Path.Combine(dir, "chain.csv")));
    }

    [SkippableFact]
    public void A_table_that_cannot_be_written_leaves_every_table_as_it_was()
    {
        Skip.IfNot(File.Exists("/dev/full"), "no /dev/full");
        var dir = Directory.CreateTempSubdirectory("tfx-csvset-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "findings.csv"), "old findings\n");
            File.WriteAllText(Path.Combine(dir, "tasks.csv"), "old tasks\n");
            File.CreateSymbolicLink(Path.Combine(dir, "chain.csv"), "/dev/full");
            var (exit, _, stderr) = Run.Cli("report", "--format", "csv", "-o", dir, Lkml);
            Assert.Equal(2, exit);
            Assert.Contains($"cannot write {Path.Combine(dir, "chain.csv")}: ", stderr);
            Assert.Contains($"; no file in {dir} was written or replaced", stderr);
            Assert.Equal("old findings\n", File.ReadAllText(Path.Combine(dir, "findings.csv")));
            Assert.Equal("old tasks\n", File.ReadAllText(Path.Combine(dir, "tasks.csv")));
            Assert.Equal(["chain.csv", "findings.csv", "tasks.csv"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Order());

            // With the table writable again, the whole set is replaced.
            File.Delete(Path.Combine(dir, "chain.csv"));
            AssertTheSetIsWritten(dir);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
