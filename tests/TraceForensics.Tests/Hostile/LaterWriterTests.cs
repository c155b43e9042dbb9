using TraceForensics.Analysis;
using TraceForensics.Cli.Output;
using TraceForensics.Cli.Watch;
using TraceForensics.Events.Model;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Hostile;

/// <summary>The writers added after the reports (watch's incident files, record's kernel log and topology beside its
/// trace) keep the same output rules (issue 16): their text goes through the one sanitizer, and their files through the
/// one output path (a symlink followed, a regular file replaced atomically with its mode kept).</summary>
public class LaterWriterTests
{
    /// <summary>A task name with an OSC title, BEL, ESC, CR and a right-to-left override.</summary>
    private const string Hostile = "evil\u001b]0;owned\u0007\r\u202ename";

    private static void AssertNoControl(string path)
    {
        var text = File.ReadAllText(path);
        Assert.True(UntrustedText.IsSafeOutput(text), text);
        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain('\u202e', text);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void A_kernel_log_line_with_a_hostile_name_is_written_escaped_through_a_symlink_keeping_its_target()
    {
        // record's FILE.dmesg.txt and watch's dmesg.txt and cleared.txt are written by the same lines writer.
        var dir = Directory.CreateTempSubdirectory("tracefx-lines-").FullName;
        try
        {
            var target = Path.Combine(dir, "real.txt");
            File.WriteAllText(target, "old");
            File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var link = Path.Combine(dir, "dmesg.txt");
            File.CreateSymbolicLink(link, "real.txt");
            var line = $"[  370.722700] INFO: task {Hostile}:4006 blocked for more than 120 seconds.";
            Assert.True(CommandOutput.EmitLines(link, [line], TextWriter.Null));
            Assert.Equal("real.txt", new FileInfo(link).LinkTarget);
            AssertNoControl(target);
            Assert.Contains("task evil\\x1b]0;owned\\x07\\x0d\\u202ename:4006", File.ReadAllText(target));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(target));
            Assert.Equal(2, Directory.GetFileSystemEntries(dir).Length); // no temporary left
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void An_incidents_blocked_tasks_dump_of_a_hostile_task_is_written_escaped_and_reads_back_as_its_report()
    {
        const string name = "evil\u001b]0;owned\u0007\u202ename"; // a trace line holds no CR
        var trace = $"""
                 {name}-4005    [001] d..2.   370.722605: sched_switch: prev_comm={name} prev_pid=4005 prev_prio=120 prev_state=D ==> next_comm=swapper/1 next_pid=0 next_prio=120
                 {name}-4005    [001] d..2.   370.722606: <stack trace>
             => __schedule
             => schedule
             => folio_wait_writeback_{name}
                   other-4007    [000] d..2.   372.000000: sched_switch: prev_comm=other prev_pid=4007 prev_prio=120 prev_state=R ==> next_comm=swapper/0 next_pid=0 next_prio=120
            """;
        var (session, events) = Run.Text(trace + "\n");
        using var _ = session;
        var analyzer = new Analyzer(session.Tables.Stacks);
        foreach (var e in events) analyzer.Observe(e);
        var dir = Directory.CreateTempSubdirectory("tracefx-incident-").FullName;
        try
        {
            var path = Path.Combine(dir, IncidentWriter.BlockedFile);
            IncidentWriter.WriteLines(path, BlockedTasksDump.Lines(analyzer.State, session.Tables.Stacks, 372_000_000_000, _ => null), TextWriter.Null);
            AssertNoControl(path);
            var text = File.ReadAllText(path);
            Assert.Contains("task:evil\\x1b]0;owned\\x07\\u202ename", text);
            Assert.Contains(" folio_wait_writeback_evil\\x1b]0;owned\\x07\\u202ename+0x0/0x0", text);
            var task = Assert.Single(Analyze.Files(path).SelectMany(f => f.Tasks), t => t.Pid == 4005);
            Assert.True(UntrustedText.IsSafeOutput(task.Comm), task.Comm);
        }
        finally { Directory.Delete(dir, true); }
    }
}
