using System.Diagnostics;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Live;

/// <summary><c>report --format csv -o DIR</c> into a tmpfs of 64 KiB that is full (root, to mount it; skipped elsewhere
/// with the reason): no table is half-replaced, the message says none was, exit 2; the tmpfs is unmounted in finally.</summary>
[Collection("live kernel")]
public class CsvSetFullDiskTests
{
    private static readonly string Lkml = Path.Combine(TestPaths.SampleTraces, "lkml-xfs-kprobe-holder.ftrace.txt");

    private static (int Exit, string Stderr) Tool(string tool, params string[] args)
    {
        var p = Process.Start(new ProcessStartInfo(tool, args) { RedirectStandardError = true })!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, err.Trim());
    }

    [SkippableFact]
    public void On_a_full_tmpfs_no_table_is_half_replaced()
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "mounting a tmpfs needs root");
        var dir = Directory.CreateTempSubdirectory("tfx-fulldisk-").FullName;
        bool mounted = false;
        try
        {
            var (exit0, why) = Tool("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir);
            Skip.If(exit0 != 0, $"cannot mount a tmpfs: {why}");
            mounted = true;
            var out_ = Path.Combine(dir, "csv");
            Directory.CreateDirectory(out_);
            File.WriteAllText(Path.Combine(out_, "findings.csv"), "old findings\n");
            File.WriteAllText(Path.Combine(out_, "chain.csv"), "old chain\n");
            File.WriteAllText(Path.Combine(out_, "tasks.csv"), "old tasks\n");
            // Fill the filesystem in pages, then free one: the first table fits, the next does not.
            var chunks = new List<string>();
            try
            {
                for (int i = 0; ; i++)
                {
                    var chunk = Path.Combine(dir, $"fill{i}");
                    using (var f = new FileStream(chunk, FileMode.CreateNew)) { chunks.Add(chunk); f.Write(new byte[4096]); f.Flush(flushToDisk: true); }
                }
            }
            catch (IOException) { }
            File.Delete(chunks[0]);

            var (exit, _, stderr) = Run.Cli("report", "--format", "csv", "-o", out_, Lkml);
            Assert.Equal(2, exit);
            Assert.Contains("cannot write", stderr);
            Assert.Contains("No space left on device", stderr);
            Assert.Contains($"no file in {out_} was written or replaced", stderr);
            Assert.Equal("old findings\n", File.ReadAllText(Path.Combine(out_, "findings.csv")));
            Assert.Equal("old chain\n", File.ReadAllText(Path.Combine(out_, "chain.csv")));
            Assert.Equal("old tasks\n", File.ReadAllText(Path.Combine(out_, "tasks.csv")));
            Assert.Equal(3, Directory.GetFileSystemEntries(out_).Length); // no temporary left behind

            // With room again, the set is replaced whole.
            foreach (var c in chunks.Skip(1)) File.Delete(c);
            Hostile.CsvSetTests.AssertTheSetIsWritten(out_);
        }
        finally
        {
            if (mounted)
            {
                var (exit, why) = Tool("umount", dir);
                Assert.True(exit == 0, $"umount {dir}: {why}");
            }
            Directory.Delete(dir, recursive: true);
        }
    }
}
