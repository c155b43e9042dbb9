using System.IO.Compression;
using System.Text.RegularExpressions;
using TraceForensics.Events.Model;
using TraceForensics.Ingest.Diagnostics;
using TraceForensics.Ingest.Formats;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.RealTraces;

/// <summary>Every capture in ../shared/real-traces is read with the right format, no unexplained diagnostic, and
/// as many events as an independent count of its event lines.</summary>
public class RealTraceTests
{
    public static TheoryData<string, TraceFormat> Captures => new()
    {
        { "xfs-fsync.ftrace.txt", TraceFormat.Ftrace },
        { "xfs-frozen-backing-stall.ftrace.txt", TraceFormat.Ftrace },
        { "xfs-memcg-reclaim.ftrace.txt.gz", TraceFormat.Ftrace },
        { "xfs-fsync.trace-cmd-report.txt", TraceFormat.TraceCmd },
        { "xfs-fsync.perf-script.txt", TraceFormat.PerfScript },
        { "xfs-fsync.perf-script-nostack.txt", TraceFormat.PerfScript },
        { "xfs-frozen-backing-stall.dmesg.txt", TraceFormat.Dmesg },
    };

    [SkippableTheory]
    [MemberData(nameof(Captures))]
    public void Read_with_the_right_format_and_no_unexplained_diagnostics(string file, TraceFormat format)
    {
        var path = Path.Combine(Require.RealTraces(), file);
        var (session, events) = Run.Files(path);
        var input = Assert.Single(session.Inputs);
        Assert.Null(input.Rejection);
        Assert.Equal(format, input.Format);
        Assert.DoesNotContain(session.Tables.Diagnostics.Kept, d => d.Severity != DiagnosticSeverity.Info);
        Assert.Equal(CountEventLines(path, format), events.Count);
        Assert.Equal(input.Events, events.Count);
        Assert.All(events, e => Assert.NotEqual(0, e.Source.Line));
    }

    [SkippableFact]
    public void Every_capture_in_the_folder_is_covered_by_a_test()
    {
        var dir = Require.RealTraces();
        var covered = Captures.Select(row => (string)row[0]).Append("xfs-fsync.trace.dat").ToHashSet();
        var present = Directory.GetFiles(dir).Select(f => Path.GetFileName(f)).Where(f => !f.EndsWith(".about")).ToList();
        Assert.All(present, f => Assert.Contains(f, covered));
    }

    [SkippableFact]
    public void Fsync_captures_in_three_formats_yield_the_same_event_kinds()
    {
        var dir = Require.RealTraces();
        HashSet<EventKind> Kinds(string f) => Run.Files(Path.Combine(dir, f)).Events.Select(e => e.Kind).ToHashSet();
        var ftrace = Kinds("xfs-fsync.ftrace.txt");
        var traceCmd = Kinds("xfs-fsync.trace-cmd-report.txt");
        var perf = Kinds("xfs-fsync.perf-script.txt");
        // Incidental to a run, not to the workload: a contended lock (trace-cmd's run) and bio merges (perf's run).
        EventKind[] incidental = [EventKind.LockContentionBegin, EventKind.LockContentionEnd, EventKind.BioMerge];
        ftrace.ExceptWith(incidental);
        traceCmd.ExceptWith(incidental);
        perf.ExceptWith(incidental);
        Assert.Equal(ftrace.OrderBy(k => k), traceCmd.OrderBy(k => k));
        Assert.Equal(ftrace.OrderBy(k => k), perf.OrderBy(k => k));
        Assert.Contains(EventKind.WritebackWait, ftrace);
        Assert.Contains(EventKind.WritebackStart, ftrace);
        Assert.DoesNotContain(EventKind.Unknown, ftrace);
    }

    [SkippableFact]
    public void Stacks_are_attached_in_every_format_that_has_them()
    {
        var dir = Require.RealTraces();
        foreach (var f in new[] { "xfs-fsync.ftrace.txt", "xfs-fsync.trace-cmd-report.txt", "xfs-fsync.perf-script.txt", "xfs-frozen-backing-stall.dmesg.txt" })
        {
            var (session, events) = Run.Files(Path.Combine(dir, f));
            var withStack = events.Where(e => e.StackId != 0).ToList();
            Assert.NotEmpty(withStack);
            Assert.Equal(session.Inputs[0].Stacks, withStack.Count);
            // innermost first, offsets dropped
            var frames = session.Tables.Stacks.Get(withStack[0].StackId);
            Assert.DoesNotContain(frames, fr => fr.Contains('+') || (fr.Contains(' ') && !fr.StartsWith("? ")));
        }
    }

    [SkippableFact]
    public void Fsync_writeback_wait_carries_its_stack_and_page()
    {
        var path = Path.Combine(Require.RealTraces(), "xfs-fsync.ftrace.txt");
        var (session, events) = Run.Files(path);
        var wait = events.First(e => e.Kind == EventKind.WritebackWait && e.StackId != 0);
        Assert.NotNull(wait.Payload.Dev);
        Assert.NotNull(wait.Payload.Ino);
        Assert.NotNull(wait.Payload.Index);
        Assert.Contains("folio_wait_writeback", session.Tables.Stacks.Get(wait.StackId));
    }

    [SkippableFact]
    public void Binary_trace_dat_is_read_directly()
    {
        var path = Path.Combine(Require.RealTraces(), "xfs-fsync.trace.dat");
        var (session, events) = Run.Files(path);
        Assert.Null(session.Inputs[0].Rejection);
        Assert.Equal(TraceFormat.TraceDat, session.Inputs[0].Format);
        Assert.Empty(session.Tables.Diagnostics.Kept);
        Assert.Equal(1810, events.Count); // the events of its trace-cmd report text (TraceDatTests compare them one by one)
        var wait = events.First(e => e.Kind == EventKind.WritebackWait && e.StackId != 0);
        Assert.Contains("folio_wait_writeback", session.Tables.Stacks.Get(wait.StackId));
    }

    [SkippableFact]
    public void Memcg_capture_has_memcg_reclaim_with_gfp_flags()
    {
        var path = Path.Combine(Require.RealTraces(), "xfs-memcg-reclaim.ftrace.txt.gz");
        var (_, events) = Run.Files(path);
        var begins = events.Where(e => e.Kind == EventKind.ReclaimBegin).ToList();
        Assert.Equal(484, begins.Count);
        Assert.All(begins, e => Assert.Equal(ReclaimScope.Memcg, e.Payload.Reclaim));
        Assert.All(begins, e => Assert.False(string.IsNullOrEmpty(e.Payload.GfpFlags)));
        Assert.Equal(484, events.Count(e => e.Kind == EventKind.ReclaimEnd));
    }

    /// <summary>An independent count of event lines, with regular expressions instead of the tokenizers.</summary>
    private static int CountEventLines(string path, TraceFormat format)
    {
        Stream s = File.OpenRead(path);
        if (path.EndsWith(".gz")) s = new GZipStream(s, CompressionMode.Decompress);
        using var reader = new StreamReader(s);
        var ftrace = new Regex(@"^\s*.+-\d+\s+(\(\s*[\d-]+\)\s+)?\[\d+\]\s+(\S+\s+)?\d+\.\d+: (\w+):");
        var perf = new Regex(@"^(?!\t) *\S.*\s\d+\s+\[\d+\]\s+\d+\.\d+:\s+\S+:");
        // a kernel log's events: each hung-task header, and its task and workqueue lines
        var hung = new Regex(@"INFO: task .+:\d+ blocked for more than \d+ seconds\.|\] task:\S+ +state:|\] Workqueue: ");
        int n = 0;
        while (reader.ReadLine() is { } line)
        {
            n += format switch
            {
                TraceFormat.PerfScript => perf.IsMatch(line) ? 1 : 0,
                TraceFormat.Dmesg => hung.IsMatch(line) ? 1 : 0,
                _ => ftrace.Match(line) is { Success: true } m && m.Groups[3].Value != "kernel_stack" ? 1 : 0,
            };
        }
        return n;
    }
}
