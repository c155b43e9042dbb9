using System.Diagnostics;
using TraceForensics.Cli.Output;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Hostile;

/// <summary>-o writes what it names and nothing else: a symlink's target (the link stays), a FIFO or device through
/// (never replaced by a regular file), an existing file atomically with its mode and owner kept.</summary>
public class OutputTargetTests
{
    private static readonly string Lkml = Path.Combine(TestPaths.SampleTraces, "lkml-xfs-kprobe-holder.ftrace.txt");

    internal static void Mkfifo(string path)
    {
        using var p = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    [Fact]
    public void A_symlink_is_followed_and_stays_a_symlink()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var target = Path.Combine(dir, "real.txt");
            File.WriteAllText(target, "old");
            var link = Path.Combine(dir, "link.txt");
            File.CreateSymbolicLink(link, "real.txt");
            var (exit, _, stderr) = Run.Cli("analyze", "--fail-on", "none", "-o", link, Lkml);
            Assert.True(exit == 0, stderr);
            Assert.Equal("real.txt", new FileInfo(link).LinkTarget);
            Assert.StartsWith("verdict: deadlock", File.ReadAllText(target));
            Assert.Equal(2, Directory.GetFileSystemEntries(dir).Length); // no temporary left
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task A_fifo_is_written_through_and_stays_a_fifo()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var fifo = Path.Combine(dir, "out.fifo");
            Mkfifo(fifo);
            var reader = Task.Run(() => File.ReadAllText(fifo));
            var (exit, _, stderr) = Run.Cli("report", "--format", "lkml", "--fail-on", "none", "-o", fifo, Lkml);
            Assert.True(exit == 0, stderr);
            var read = await reader.WaitAsync(TimeSpan.FromSeconds(60)); // the reader got its end of file
            Assert.Contains("TraceForensics: deadlock detected", read);
            Assert.Equal(UnixFile.Kind.Fifo, UnixFile.Stat(fifo).Kind);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>A character device given to -o is written through, never replaced. As root the device is a null device
    /// node of the test's own (mknod c 1 3, drivers/char/mem.c), so a regression replaces that node, not the machine's
    /// /dev/null; without root /dev/null itself (its directory is not writable, so nothing could replace it).</summary>
    [Fact]
    public void A_null_device_stays_a_device()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            string device = "/dev/null";
            if (Environment.IsPrivilegedProcess)
            {
                device = Path.Combine(dir, "null");
                using var p = Process.Start(new ProcessStartInfo("mknod", ["-m", "666", device, "c", "1", "3"]) { UseShellExecute = false })!;
                p.WaitForExit();
                Assert.Equal(0, p.ExitCode);
            }
            var (exit, stdout, stderr) = Run.Cli("report", "--format", "markdown", "--fail-on", "none", "-o", device, Lkml);
            Assert.True(exit == 0, stderr);
            Assert.Equal("", stdout);
            Assert.Equal(UnixFile.Kind.CharDevice, UnixFile.Stat(device).Kind);
            Assert.Equal(Convert.ToUInt32("666", 8), UnixFile.Stat(device).Mode);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void An_existing_file_keeps_its_mode_and_owner()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var path = Path.Combine(dir, "report.json");
            File.WriteAllText(path, "old");
            if (OperatingSystem.IsLinux()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var before = UnixFile.Stat(path);
            // As root the owner can be anyone's: give the file to nobody (65534), as a shared report might be.
            bool root = before.Uid == 0 && UnixFile.Chown(path, 65534, 65534);
            var (exit, _, stderr) = Run.Cli("analyze", "--format", "json", "--fail-on", "none", "-o", path, Lkml);
            Assert.True(exit == 0, stderr);
            var after = UnixFile.Stat(path);
            Assert.Equal(UnixFile.Kind.Regular, after.Kind);
            Assert.Equal(Convert.ToUInt32("600", 8), after.Mode);
            if (root) Assert.Equal((65534u, 65534u), (after.Uid, after.Gid));
            else Assert.Equal((before.Uid, before.Gid), (after.Uid, after.Gid));
            Assert.Contains("\"schema\"", File.ReadAllText(path));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void A_symlink_planted_where_a_temporary_could_be_does_not_redirect_the_write()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var victim = Path.Combine(dir, "victim");
            File.WriteAllText(victim, "precious");
            // The name the temporary once had (.NAME.PID.tmp): predictable, so a local user could plant a link there.
            File.CreateSymbolicLink(Path.Combine(dir, $".report.txt.{Environment.ProcessId}.tmp"), victim);
            var path = Path.Combine(dir, "report.txt");
            var (exit, _, stderr) = Run.Cli("analyze", "--fail-on", "none", "-o", path, Lkml);
            Assert.True(exit == 0, stderr);
            Assert.Equal("precious", File.ReadAllText(victim));
            Assert.StartsWith("verdict: deadlock", File.ReadAllText(path));
            Assert.Null(new FileInfo(path).LinkTarget);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void A_directory_is_not_replaced()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "keep"), "x");
            var (exit, stdout, stderr) = Run.Cli("analyze", "--fail-on", "none", "-o", dir, Lkml);
            Assert.Equal(2, exit);
            Assert.Equal("", stdout);
            Assert.Contains("it is a directory; nothing was written", stderr);
            Assert.Equal("x", File.ReadAllText(Path.Combine(dir, "keep")));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
