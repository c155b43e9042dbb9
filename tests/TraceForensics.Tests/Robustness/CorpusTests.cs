using System.Globalization;
using System.Text.RegularExpressions;
using TraceForensics.Events.Model;
using TraceForensics.Events.Reading;
using TraceForensics.Ingest.Diagnostics;
using TraceForensics.Ingest.Formats;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Robustness;

/// <summary>Public text written by others (../shared/corpus/traces): each file is either read, with the events
/// an independent count finds in it, or rejected with a message that says what it is.</summary>
public class CorpusTests
{
    /// <summary>An ftrace / trace-cmd event line, counted independently of the tokenizer: task-pid, optional
    /// (tgid), [cpu], optional flags, secs.usecs:, then an event that is not a stack header.</summary>
    private static readonly Regex FtraceEventLine = new(
        @"^\s*\S.*-\d+\s+(\(\s*[-\d]+\)\s+)?\[\d+\]\s+(\S+\s+)?\d+\.\d+:\s+(?!<stack trace>|<user stack trace>|kernel_stack:|user_stack:)\S",
        RegexOptions.Compiled);

    /// <summary>A perf script event line: comm, tid, secs.usecs:.</summary>
    private static readonly Regex PerfEventLine = new(@"^\S.*\s\d+\s+(\[\d+\]\s+)?\d+\.\d+:\s", RegexOptions.Compiled);

    private static string Corpus(string name) => Path.Combine(Require.CorpusTraces(), name);

    private static (TraceSession Session, List<TraceEvent> Events, InputSummary Input) Read(string path)
    {
        var (session, events) = Run.Files(path);
        return (session, events, session.Inputs[0]);
    }

    private static int Count(string path, Regex regex) => File.ReadLines(path).Count(l => regex.IsMatch(l));

    public static TheoryData<string> AllFiles()
    {
        var data = new TheoryData<string>();
        if (TestPaths.CorpusTraces is { } dir)
            foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                data.Add(Path.GetRelativePath(dir, f));
        else
            data.Add("(corpus absent)");
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(AllFiles))]
    public void Every_file_is_read_or_rejected_with_a_clear_reason(string relative)
    {
        var path = Corpus(relative);
        var (session, events, input) = Read(path);
        if (input.Rejection is { } why)
        {
            Assert.Empty(events);
            Assert.True(why.Length > 20, $"rejection too terse: {why}");
            Assert.Matches("not trace text|no trace lines|binary|empty", why);
            var d = Assert.Single(session.Tables.Diagnostics.Kept);
            Assert.Equal((path, 0L, DiagnosticSeverity.Error, DiagnosticCodes.UnsupportedFormat), (d.Path, d.Line, d.Severity, d.Code));
        }
        else
        {
            Assert.NotEmpty(events);
            Assert.NotEqual(TraceFormat.Unknown, input.Format);
            Assert.All(session.Tables.Diagnostics.Kept, d => Assert.InRange(d.Line, 1, input.Lines));
            Assert.DoesNotContain(session.Tables.Diagnostics.Kept, d => d.Severity == DiagnosticSeverity.Error);
        }
    }

    [SkippableTheory]
    [InlineData("PROVENANCE.txt")]
    [InlineData("flamegraph__perf-dd-stacks-01-collapsed-kernel.expected.txt")]
    [InlineData("perfetto__sched_blocked_systrace.expected_from_tests_py.txt")]
    public void Notes_and_expected_outputs_are_not_traces(string name)
    {
        var (_, events, input) = Read(Corpus(name));
        Assert.Empty(events);
        Assert.StartsWith("no trace lines found at its start", input.Rejection);
    }

    [SkippableFact]
    public void Systrace_html_is_rejected_as_html()
    {
        var (session, events, input) = Read(Corpus("trappy__trace_surfaceflinger.html"));
        Assert.Empty(events);
        Assert.False(session.AnyReadable);
        Assert.Contains("HTML", input.Rejection);
        Assert.Contains("trace-cmd report", input.Rejection); // says the way in
        Assert.Equal(1, session.Tables.Diagnostics.CountFor(input.Path, DiagnosticCodes.UnsupportedFormat));
    }

    [SkippableFact]
    public void Flamegraph_perf_sample_is_perf_script_with_a_callchain_per_event()
    {
        var path = Corpus("flamegraph__perf-dd-stacks-01.txt");
        var (session, events, input) = Read(path);
        Assert.Equal(TraceFormat.PerfScript, input.Format);
        Assert.Equal(Count(path, PerfEventLine), events.Count);
        Assert.Equal(11, events.Count);
        Assert.All(events, e => Assert.Equal(("dd", 29776, "cpu-clock"), (e.Comm, e.Pid, e.Name)));
        Assert.All(events, e => Assert.NotEqual(0, e.StackId));
        Assert.Equal(11, input.Stacks);
        Assert.Equal(0, session.Tables.Diagnostics.Total);
    }

    [SkippableFact]
    public void Perfetto_systrace_blocked_reasons_match_perfettos_expected_rows()
    {
        var path = Corpus("perfetto__sched_blocked_systrace.systrace");
        var (session, events, input) = Read(path);
        Assert.Equal(TraceFormat.Ftrace, input.Format);
        Assert.Equal(Count(path, FtraceEventLine), events.Count);
        Assert.Equal(0, session.Tables.Diagnostics.Total);
        var lines = File.ReadAllLines(path);

        // Perfetto's expected thread_state D rows: "ts","tid","io_wait".
        var expected = File.ReadLines(Corpus("perfetto__sched_blocked_systrace.expected_from_tests_py.txt"))
            .Select(l => Regex.Match(l.Trim(), @"^(\d+),(\d+),(\d)$")).Where(m => m.Success)
            .Select(m => (Ts: long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Tid: int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), IoWait: m.Groups[3].Value))
            .ToList();
        Assert.Equal(2, expected.Count);

        var blocked = events.Where(e => e.Kind == EventKind.BlockedReason).ToList();
        Assert.Equal(expected.Select(x => x.Tid), blocked.Select(e => e.Payload.OtherPid ?? -1));
        foreach (var (ts, tid, ioWait) in expected)
        {
            // The task switched out in D at ts (prev_pid is the tid), and its blocked reason follows within 1 us.
            var sw = Assert.Single(events, e => e.Kind == EventKind.SchedSwitch && e.TimestampNs == ts);
            Assert.Equal(TaskState.Uninterruptible, sw.Payload.PrevState & TaskState.Uninterruptible);
            Assert.Contains($"prev_pid={tid} ", lines[sw.Source.Line - 1]);
            var reason = Assert.Single(blocked, e => e.Payload.OtherPid == tid);
            Assert.InRange(reason.TimestampNs - ts, 0, 1000);
            Assert.Contains($"iowait={ioWait} ", lines[reason.Source.Line - 1]);
            Assert.NotNull(reason.Payload.Function);
        }
        Assert.Equal(["worker_thread", "__filemap_fdatawait_range"], blocked.Select(e => e.Payload.Function));
    }

    [SkippableTheory]
    [InlineData("perftools__tpoint_example.txt", "block_rq_issue:16 block_rq_insert:2")]
    [InlineData("perftools__kprobe_example.txt", "do_sys_open:18 myopen:57 myprobe:53 mytcp:3")]
    public void Perf_tools_examples_are_ftrace_with_the_events_they_name(string name, string expectedCounts)
    {
        var path = Corpus(name);
        var (session, events, input) = Read(path);
        Assert.Equal(TraceFormat.Ftrace, input.Format);
        Assert.Equal(Count(path, FtraceEventLine), events.Count);
        var byName = events.GroupBy(e => e.Name).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}:{g.Count()}");
        Assert.Equal(expectedCounts.Split(' ').Order(StringComparer.Ordinal), byName);
        AssertProseIsWarnedAndNoTraceLineIsLost(session, input, path);
    }

    [SkippableFact]
    public void Tpoint_stacks_attach_to_their_events_even_when_the_example_goes_back_in_time()
    {
        var path = Corpus("perftools__tpoint_example.txt");
        var (session, events, input) = Read(path);
        int stackHeaders = File.ReadLines(path).Count(l => l.Contains("<stack trace>"));
        Assert.Equal(stackHeaders, input.Stacks);
        Assert.Equal(0, session.Tables.Diagnostics.CountFor(path, DiagnosticCodes.OrphanStackFrame));
        Assert.Equal(stackHeaders, events.Count(e => e.StackId != 0));
    }

    [SkippableFact]
    public void Trappy_sched_is_trace_cmd_report()
    {
        var path = Corpus("trappy__trace_sched.txt");
        var (session, events, input) = Read(path);
        Assert.StartsWith("version = 6", File.ReadLines(path).First());
        Assert.Equal(TraceFormat.TraceCmd, input.Format);
        Assert.Equal(Count(path, FtraceEventLine), events.Count);
        Assert.Equal(11, events.Count);
        Assert.Equal(0, session.Tables.Diagnostics.Total);
        Assert.Equal(2, events.Count(e => e.Kind == EventKind.SchedWakeup && e.Name == "sched_wakeup_new"));
    }

    [SkippableFact]
    public void Trappy_filesystem_is_ftrace_with_every_line_an_event()
    {
        var path = Corpus("trappy__trace_filesystem.txt");
        var (session, events, input) = Read(path);
        Assert.Equal(TraceFormat.Ftrace, input.Format);
        Assert.Equal(File.ReadLines(path).Count(l => l.Trim().Length > 0), events.Count);
        Assert.Equal(Count(path, FtraceEventLine), events.Count);
        Assert.Equal(0, session.Tables.Diagnostics.Total);
    }

    [SkippableFact]
    public void Function_tracer_sample_keeps_its_stack_and_reports_the_broken_sched_switch_line()
    {
        var path = Corpus("misc__function_tracer_stacktrace_mutex_then_D.txt");
        var (session, events, input) = Read(path);
        Assert.Equal(TraceFormat.Ftrace, input.Format);
        Assert.Equal(Count(path, FtraceEventLine), events.Count);
        Assert.Equal(["function", "sched_switch"], events.Select(e => e.Name));
        Assert.NotEqual(0, events[0].StackId);
        Assert.Equal(1, input.Stacks);
        // The sched_switch is cut by a line break in the file: its first half is an event lacking the next task,
        // the second half an unrecognized line.
        var log = session.Tables.Diagnostics.Kept;
        Assert.Contains(log, d => d.Code == DiagnosticCodes.PayloadMismatch && d.Line == 23);
        Assert.Contains(log, d => d.Code == DiagnosticCodes.UnrecognizedLine && d.Line == 24);
    }

    [SkippableTheory]
    [InlineData("lkml/lkml__ekanayaka_ext4_dio_block_bio_queue_plug_rq_issue.txt")]
    [InlineData("lkml/lkml__harjani_iomap_readahead_block_plug_unplug_io_start_done.txt")]
    [InlineData("lkml/lkml__minchan_vmscan_direct_reclaim_writepage.txt")]
    [InlineData("lkml/lkml__shiu_sched_blocked_reason_lock_page_killable.txt")]
    [InlineData("novelinux__ext4-jbd2-open-write-fsync_nobarrier_traces.md")]
    public void Prose_with_ftrace_inside_reads_every_trace_line(string name)
    {
        var path = Corpus(name);
        var (session, events, input) = Read(path);
        Assert.Equal(TraceFormat.Ftrace, input.Format);
        Assert.Equal(Count(path, FtraceEventLine), events.Count);
        AssertProseIsWarnedAndNoTraceLineIsLost(session, input, path);
    }

    /// <summary>Every unrecognized-line warning is about a line that is not a trace event line, and every line
    /// the independent count calls an event was read as one.</summary>
    private static void AssertProseIsWarnedAndNoTraceLineIsLost(TraceSession session, InputSummary input, string path)
    {
        var lines = File.ReadAllLines(path);
        var log = session.Tables.Diagnostics;
        foreach (var d in log.Kept.Where(d => d.Code == DiagnosticCodes.UnrecognizedLine))
        {
            Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
            Assert.DoesNotMatch(FtraceEventLine, lines[d.Line - 1]);
        }
        int proseLines = lines.Count(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#') && !l.TrimStart().StartsWith("=>")
                                          && !FtraceEventLine.IsMatch(l) && !l.Contains("<stack trace>"));
        Assert.Equal(proseLines, log.CountFor(path, DiagnosticCodes.UnrecognizedLine));
        Assert.Equal(lines.Length, input.Lines);
    }
}
