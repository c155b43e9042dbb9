using TraceForensics.Capture;
using TraceForensics.Cli.Capture;
using TraceForensics.Events.Model;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Live;

/// <summary>`record --events`, `record -o /dev/null` and `doctor --events` on this machine's kernel (root and tracefs;
/// skipped elsewhere with the reason). Each leaves no instance, no page directory in $TMPDIR (a fresh one per test,
/// removed in finally) and nothing beside the device.</summary>
[Collection("live kernel")]
public class RecordSelectionTests
{
    private static void RequireTracefs()
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "recording needs root");
        Skip.If(Tracefs.Find(out var why) is null, why ?? "no tracefs");
    }

    private static string Instance => Path.Combine(Tracefs.DefaultMount, "instances", TracefsRecording.InstanceNameFor(Environment.ProcessId));

    [SkippableFact]
    public void Recording_to_dev_null_keeps_its_pages_in_tmpdir_and_leaves_nothing_beside_the_device()
    {
        RequireTracefs();
        var tmp = Directory.CreateTempSubdirectory("tfx-devnull-").FullName;
        var before = Environment.GetEnvironmentVariable("TMPDIR");
        try
        {
            Environment.SetEnvironmentVariable("TMPDIR", tmp);
            var e = new StringWriter();
            var o = new StringWriter();
            Assert.Equal(0, TraceForensics.Cli.Commands.RecordCommand.Run("/dev/null", 0.5, 1024, [], o, e));
            Assert.Matches(@"recorded \d+ events", e.ToString());
            Assert.Contains("/dev/null is not a regular file", e.ToString());
            Assert.False(File.Exists("/dev/null.topology.txt") || File.Exists("/dev/null.dmesg.txt"), "a file was written beside /dev/null");
            // Only the page directory is record's to leave or not; $TMPDIR is process-wide.
            Assert.Empty(Directory.GetFileSystemEntries(tmp, "tracefx-pages-*"));
            Assert.Empty(Directory.GetDirectories("/dev", ".null.*"));
            Assert.False(Directory.Exists(Instance), "instance left behind");
        }
        finally
        {
            Environment.SetEnvironmentVariable("TMPDIR", before);
            Directory.Delete(tmp, recursive: true);
        }
    }

    /// <summary>The workload, and whatever it leaves running, must not inherit the ring-buffer readers' trace_pipe_raw
    /// files: an inherited one keeps the instance busy for as long as that process lives, so the recording could not
    /// remove it (this was the instance a test process left behind).</summary>
    [SkippableFact]
    public void A_workload_that_leaves_a_process_running_inherits_no_ring_buffer_file_and_the_instance_goes()
    {
        RequireTracefs();
        var work = Directory.CreateTempSubdirectory("tfx-cloexec-").FullName;
        var fds = Path.Combine(work, "fds");
        var pidFile = Path.Combine(work, "pid");
        try
        {
            var e = new StringWriter();
            int exit = TraceForensics.Cli.Commands.RecordCommand.Run(Path.Combine(work, "w.dat"), null, 1024,
                ["sh", "-c", $"sleep 0.3; ls -l /proc/$$/fd > '{fds}'; sleep 60 & echo $! > '{pidFile}'"], new StringWriter(), e);
            Assert.True(exit == 0, e.ToString());
            Assert.DoesNotContain("trace_pipe_raw", File.ReadAllText(fds));
            Assert.False(Directory.Exists(Instance), "instance left behind: " + e);
        }
        finally
        {
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out int pid))
                try { System.Diagnostics.Process.GetProcessById(pid).Kill(); } catch (Exception x) when (x is ArgumentException or InvalidOperationException) { }
            Directory.Delete(work, recursive: true);
        }
    }

    [SkippableFact]
    public void A_selection_records_only_its_families_with_the_d_state_stacks()
    {
        RequireTracefs();
        var work = Directory.CreateTempSubdirectory("tfx-select-").FullName;
        try
        {
            var trace = Path.Combine(work, "s.dat");
            var e = new StringWriter();
            var families = EventSelection.Parse("sched-switch,sched-wakeup", out _)!;
            int exit = TraceForensics.Cli.Commands.RecordCommand.Run(trace, null, 1024,
                ["dd", "if=/dev/zero", $"of={work}/f", "bs=1M", "count=8", "conv=fsync", "status=none"], new StringWriter(), e, families: families);
            Assert.True(exit == 0, e.ToString());
            Assert.Empty(Directory.GetDirectories(work, ".*.pages"));
            var (session, events) = Run.Files(trace);
            Assert.Null(session.Inputs[0].Rejection);
            var kinds = events.Select(x => x.Kind).Where(k => k != EventKind.TraceGap).ToHashSet();
            Assert.Contains(EventKind.SchedSwitch, kinds);
            Assert.Subset(new HashSet<EventKind> { EventKind.SchedSwitch, EventKind.SchedWakeup }, kinds);
            Assert.False(Directory.Exists(Instance), "instance left behind");
        }
        finally { Directory.Delete(work, recursive: true); }
    }

    [SkippableFact]
    public void Doctor_prices_a_selection_per_family_and_undoes_what_it_armed()
    {
        RequireTracefs();
        var o = new StringWriter();
        var e = new StringWriter();
        Assert.Equal(0, TraceForensics.Cli.Program.Run(["doctor", "--events", "sched-switch,sched-waking", "--sample", "0.5"], o, e));
        var text = o.ToString();
        Assert.Contains("cost of --events sched-switch,sched-waking: 2 events armed", text);
        Assert.Matches(@"\n  sched-switch +[\d,]+ +[\d,]+\n", text);
        Assert.Matches(@"\n  total +[\d,]+ +[\d,]+\n", text);
        Assert.Matches(@"ring buffer per cpu for 4 s of it: \d+ KiB", text);
        Assert.DoesNotContain("writeback-wait", text[text.IndexOf("cost of", StringComparison.Ordinal)..]);
        Assert.False(Directory.Exists(Instance), "instance left behind");
    }
}
