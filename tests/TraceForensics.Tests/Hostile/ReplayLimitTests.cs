using System.Text;
using TraceForensics.Analysis;
using TraceForensics.Events.Reading;
using TraceForensics.Ingest.Diagnostics;
using TraceForensics.Ingest.Input;

namespace TraceForensics.Tests.Hostile;

/// <summary>The bounds the replay and the string table keep are said when reached (issue 16: a limit hit is a diagnostic):
/// one warning per bound and input, at the line of the first event that reached it, naming the limit and counting the
/// events that did, drained into the session's diagnostics after the reading.</summary>
public class ReplayLimitTests
{
    private static AnalysisResult Analyse(string text, InputLimits limits, out TraceSession session)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        session = TraceSession.Open([("crafted", () => (Stream)new MemoryStream(bytes))], new TraceSessionOptions { Limits = limits });
        return TraceAnalysis.Run(session, new AnalysisOptions());
    }

    private static string Line(int i, string eventText) =>
        $"          writer-500     [000] .....   {100 + i * 0.000001:F6}: {eventText}\n";

    private static string WritebackOf(ulong bytes, int file) =>
        $"iomap_writepage: dev 7:0 ino 0x{file + 0x80:x} bdev 7:0 pos 0x0 len 0x{bytes:x}";

    [Fact]
    public void A_writeback_extent_past_the_longest_ext4_extent_is_cut_and_said_once_with_its_count()
    {
        // Line 1: 128 MiB, EXT_INIT_MAX_LEN blocks, within the bound; lines 2 and 3: 256 MiB and 1 TiB, over it.
        var text = Line(0, WritebackOf(128UL << 20, 0)) + Line(1, WritebackOf(256UL << 20, 1)) + Line(2, WritebackOf(1UL << 40, 2));
        var result = Analyse(text, InputLimits.Default, out var session);
        using var _ = session;
        var d = Assert.Single(result.Diagnostics.Kept, d => d.Code == DiagnosticCodes.LimitReached);
        Assert.Equal(("crafted", 2L, DiagnosticSeverity.Warning), (d.Path, d.Line, d.Severity));
        Assert.Contains("a writeback extent of 65536 pages is cut to its first 32768", d.Message);
        Assert.Contains("limit MaxPagesPerEvent = 32768", d.Message);
        Assert.Contains("reached by 2 events of this input", d.Message);
    }

    [Fact]
    public void The_pages_per_event_bound_is_the_sessions_limit()
    {
        var result = Analyse(Line(0, WritebackOf(64UL << 10, 0)), new InputLimits { MaxPagesPerEvent = 8 }, out var session);
        using var _ = session;
        var d = Assert.Single(result.Diagnostics.Kept, d => d.Code == DiagnosticCodes.LimitReached);
        Assert.Equal(1, d.Line);
        Assert.Contains("a writeback extent of 16 pages is cut to its first 8:", d.Message);
        Assert.Contains("reached by 1 event of this input", d.Message);
    }

    [Fact]
    public void A_writeback_extent_whose_length_overflows_bytes_is_not_taken_for_one_page()
    {
        // len 2^62 bytes: counted in bytes from its sectors (<< 9) it wrapped negative and became one page, silently.
        var result = Analyse(Line(0, WritebackOf(1UL << 62, 0)), InputLimits.Default, out var session);
        using var _ = session;
        var d = Assert.Single(result.Diagnostics.Kept, d => d.Code == DiagnosticCodes.LimitReached);
        Assert.Contains($"a writeback extent of {1L << 50} pages is cut to its first 32768", d.Message);
    }

    [Fact]
    public void The_memory_of_queued_work_emptied_at_its_bound_is_said_at_the_first_event_that_emptied_it()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 10; i++)
            sb.Append(Line(i, $"workqueue_queue_work: work struct=00000000000{i:x5} function=loop_rootcg_workfn workqueue=loop2 req_cpu=8192 cpu=4294967295"));
        var result = Analyse(sb.ToString(), new InputLimits { MaxQueuedWork = 4 }, out var session);
        using var _ = session;
        var d = Assert.Single(result.Diagnostics.Kept, d => d.Code == DiagnosticCodes.LimitReached);
        // The map holds 4 work structs: the 5th (line 5) empties it, and the 9th again.
        Assert.Equal(("crafted", 5L), (d.Path, d.Line));
        Assert.Contains("the work structs seen queued are forgotten", d.Message);
        Assert.Contains("limit MaxQueuedWork = 4", d.Message);
        Assert.Contains("reached by 2 events of this input", d.Message);
    }

    [Fact]
    public void Work_structs_within_the_bound_are_not_forgotten_and_nothing_is_said()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 4; i++)
            sb.Append(Line(i, $"workqueue_queue_work: work struct=00000000000{i:x5} function=loop_rootcg_workfn workqueue=loop2 req_cpu=8192 cpu=4294967295"));
        sb.Append(Line(5, "workqueue_execute_start: work struct 0000000000000000 function loop_rootcg_workfn"));
        var result = Analyse(sb.ToString(), new InputLimits { MaxQueuedWork = 4 }, out var session);
        using var _ = session;
        Assert.DoesNotContain(result.Diagnostics.Kept, d => d.Code == DiagnosticCodes.LimitReached);
    }

    [Fact]
    public void Each_input_that_reaches_a_bound_gets_its_own_diagnostic()
    {
        var bytes = Encoding.UTF8.GetBytes(Line(0, WritebackOf(256UL << 20, 0)));
        var later = Encoding.UTF8.GetBytes(Line(5, WritebackOf(256UL << 20, 1)));
        using var session = TraceSession.Open([("a", () => (Stream)new MemoryStream(bytes)), ("b", () => (Stream)new MemoryStream(later))]);
        var result = TraceAnalysis.Run(session, new AnalysisOptions());
        var reached = result.Diagnostics.Kept.Where(d => d.Code == DiagnosticCodes.LimitReached).ToList();
        Assert.Equal(["a", "b"], reached.Select(d => d.Path));
        Assert.All(reached, d => Assert.Equal(1, d.Line));
    }

    [Fact]
    public void A_full_string_table_is_said_once_per_input_at_the_line_where_names_stopped_being_kept()
    {
        // Every line brings a new comm: with a table of 16 strings, it fills within the first lines.
        var sb = new StringBuilder();
        for (int i = 0; i < 40; i++)
            sb.Append($"          task{i:D4}-{1000 + i}     [000] .....   {100 + i * 0.000001:F6}: sched_waking: comm=other{i:D4} pid={2000 + i} prio=120 target_cpu=000\n");
        var result = Analyse(sb.ToString(), new InputLimits { MaxInternedStrings = 16 }, out var session);
        using var _ = session;
        Assert.True(session.Tables.Strings.Full);
        var d = Assert.Single(result.Diagnostics.Kept, d => d.Code == DiagnosticCodes.LimitReached);
        Assert.Equal("crafted", d.Path);
        Assert.InRange(d.Line, 2, 12);
        Assert.Contains("limit MaxInternedStrings = 16", d.Message);
    }

    [Fact]
    public void A_string_table_within_its_bound_says_nothing()
    {
        var result = Analyse(Line(0, WritebackOf(4096, 0)), InputLimits.Default, out var session);
        using var _ = session;
        Assert.False(session.Tables.Strings.Full);
        Assert.Empty(result.Diagnostics.Kept);
    }

    [Theory]
    [InlineData(nameof(InputLimits.MaxPagesPerEvent), 0)]
    [InlineData(nameof(InputLimits.MaxQueuedWork), 0)]
    [InlineData(nameof(InputLimits.MaxInternedStrings), 15)]
    public void The_replay_bounds_out_of_range_are_refused_with_their_name(string limit, int value)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => limit switch
        {
            nameof(InputLimits.MaxPagesPerEvent) => new InputLimits { MaxPagesPerEvent = value },
            nameof(InputLimits.MaxQueuedWork) => new InputLimits { MaxQueuedWork = value },
            _ => new InputLimits { MaxInternedStrings = value },
        });
        Assert.Equal(limit, e.ParamName);
    }
}
