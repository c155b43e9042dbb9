using System.Diagnostics;
using TraceForensics.Capture;
using TraceForensics.Events.Model;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Live;

/// <summary>`tracefx record -o FILE.dat` on this machine's kernel (root, tracefs, xfsprogs, loop devices, trace-cmd;
/// skipped elsewhere with the reason): a dd conv=fsync on a loop XFS recorded from the per-CPU ring buffers into a
/// trace.dat that `trace-cmd report` reads with the event count tracefx said, and that tracefx analyses. The loop
/// filesystem is unmounted and detached, the work directory removed, on every exit path (LoopXfs.Dispose, finally);
/// the instance is removed by the recording itself, which the test checks.</summary>
[Collection("live kernel")]
public class RecordTraceDatTests
{
    private static string? TraceCmd =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "trace-cmd")).FirstOrDefault(File.Exists);

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void Records_an_fsync_workload_into_a_trace_dat_that_trace_cmd_and_tracefx_read(bool zstd)
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "recording needs root");
        Skip.If(Tracefs.Find(out var why) is null, why ?? "no tracefs");
        Skip.IfNot(File.Exists("/usr/sbin/mkfs.xfs"), "xfsprogs is not installed (.ci/run installs it)");
        Skip.IfNot(File.Exists("/usr/sbin/losetup") || File.Exists("/sbin/losetup"), "no losetup");
        Skip.If(TraceCmd is null, "trace-cmd is not installed");
        var work = Directory.CreateTempSubdirectory("tfx-dat-").FullName;
        try
        {
            using var fs = new LoopXfs(Path.Combine(work, "fs.img"), "512M", Path.Combine(work, "mnt"));
            var trace = Path.Combine(work, "fsync.dat");
            var e = new StringWriter();
            int exit = TraceForensics.Cli.Commands.RecordCommand.Run(trace, null, null,
                ["dd", "if=/dev/urandom", $"of={fs.Mount}/f", "bs=1M", "count=16", "conv=fsync", "status=none"], new StringWriter(), e, zstd);
            Assert.True(exit == 0, e.ToString());
            Assert.False(Directory.Exists(Path.Combine(Tracefs.DefaultMount, "instances", TracefsRecording.InstanceNameFor(Environment.ProcessId))), "instance left behind: " + e);
            Assert.Empty(Directory.GetDirectories(work, ".*.pages"));

            // tracefx's own count: "recorded N events (...)".
            var said = System.Text.RegularExpressions.Regex.Match(e.ToString(), @"recorded (\d+) events");
            Assert.True(said.Success, e.ToString());
            long recorded = long.Parse(said.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(recorded > 100, e.ToString());

            var psi = new ProcessStartInfo(TraceCmd!) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "report", "-i", trace }) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            var lines = p.StandardOutput.ReadToEnd().Split('\n');
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, err.Result);
            // trace-cmd report: one line per event (starting with the task, space-padded); stack frames start "=>".
            Assert.Equal(recorded, lines.Count(l => l.StartsWith(' ') && l.Contains("]", StringComparison.Ordinal)));

            var (session, events) = Run.Files(trace);
            Assert.Null(session.Inputs[0].Rejection);
            var kinds = events.Select(x => x.Kind).ToHashSet();
            foreach (var k in new[] { EventKind.SchedSwitch, EventKind.WritebackStart, EventKind.RequestComplete })
                Assert.Contains(k, kinds);
            Assert.Equal(0, Run.Cli("analyze", trace).Exit);
            session.Dispose();
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }
}
