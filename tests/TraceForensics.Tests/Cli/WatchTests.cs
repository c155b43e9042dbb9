using System.Buffers.Binary;
using TraceForensics.Analysis;
using TraceForensics.Capture;
using TraceForensics.Cli.Watch;
using TraceForensics.Events.Model;
using TraceForensics.Events.Reading;
using TraceForensics.Ingest.TraceDat;
using TraceForensics.Replay;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Cli;

/// <summary>The parts of `tracefx watch` that need no kernel: the live replay's ordering of pages that arrive out of
/// time order across CPUs, the window's trimming, the kernel-log record format, the sysrq-w dump read back.</summary>
public class WatchTests
{
    /// <summary>A CPU's pages of a real trace.dat handed over one batch later than the other CPUs' (as readers that read
    /// at their own moments do) and released by the watermark the watch computes (the oldest of the CPUs' newest events):
    /// the replay ends in the state of `analyze` over the file, every event replayed; released without waiting, the same
    /// batches leave a different state.</summary>
    [SkippableFact]
    public void Pages_of_one_cpu_arriving_a_batch_late_replay_as_the_file_does()
    {
        var path = Path.Combine(Require.RealTraces(), "xfs-fsync.trace.dat");
        var bytes = File.ReadAllBytes(path);
        var file = TraceDatFile.Read(bytes);
        var buffer = file.Buffers[0];
        var pages = buffer.Cpus.Where(c => c.Size > 0).Select(c => (c.Cpu, Pages: PagesOf(bytes, c, buffer))).Where(c => c.Pages.Count > 0).ToList();
        Assert.True(pages.Count >= 2, "the trace has pages on fewer than two CPUs");

        var expected = TasksAfter(path, out long expectedEvents);
        Assert.Equal(expected, Replay(pages, file, buffer.PageSize, withWatermark: true, out long events));
        Assert.Equal(expectedEvents, events);
        Assert.NotEqual(expected, Replay(pages, file, buffer.PageSize, withWatermark: false, out _));
    }

    /// <summary>A CPU's pages; of a compressed file (trace-cmd.dat.v7.5: u32 chunk count, per chunk u32 compressed size,
    /// u32 size, a zstd frame) decompressed.</summary>
    internal static List<byte[]> PagesOf(byte[] fileBytes, CpuData cpu, TraceDatBuffer buffer)
    {
        byte[] data = fileBytes.AsSpan((int)cpu.Offset, (int)cpu.Size).ToArray();
        if (buffer.Compressed)
        {
            var raw = fileBytes.AsSpan((int)cpu.Offset);
            uint chunks = BinaryPrimitives.ReadUInt32LittleEndian(raw);
            var all = new MemoryStream();
            using var z = new ZstdSharp.Decompressor();
            int at = 4;
            for (uint i = 0; i < chunks; i++)
            {
                int compressed = (int)BinaryPrimitives.ReadUInt32LittleEndian(raw[at..]);
                at += 8;
                all.Write(z.Unwrap(raw.Slice(at, compressed)));
                at += compressed;
            }
            data = all.ToArray();
        }
        return Enumerable.Range(0, data.Length / buffer.PageSize).Select(i => data.AsSpan(i * buffer.PageSize, buffer.PageSize).ToArray()).ToList();
    }

    private static string Replay(List<(int Cpu, List<byte[]> Pages)> pages, TraceDatFile file, int pageSize, bool withWatermark, out long events)
    {
        var live = new LiveReplay(file, new AnalysisOptions());
        const int perBatch = 2;
        int batches = pages.Max(p => p.Pages.Count) / perBatch + 2;
        for (int b = 0; b < batches; b++)
        {
            var batch = new List<(int, List<byte[]>)>();
            for (int i = 0; i < pages.Count; i++)
            {
                int k = i == 0 ? b - 1 : b; // the first CPU's pages come a batch late
                if (k >= 0) batch.Add((pages[i].Cpu, pages[i].Pages.Skip(k * perBatch).Take(perBatch).ToList()));
            }
            live.Decode(batch);
            live.Release(withWatermark ? pages.Min(p => live.LastOf(p.Cpu) ?? long.MinValue) : long.MaxValue);
        }
        live.Release(long.MaxValue);
        events = live.Events;
        return Tasks(live.Analyzer.State);
    }

    private static string TasksAfter(string path, out long events)
    {
        using var session = TraceSession.Open([path], new TraceSessionOptions { Parallelism = 1 });
        ReplayState? state = null;
        var result = TraceAnalysis.Run(session, new AnalysisOptions(), hooks: new AnalysisHooks { Started = s => state = s });
        events = result.Events;
        return Tasks(state!);
    }

    private static string Tasks(ReplayState s) =>
        string.Join("\n", s.Tasks.Tasks.Select(t => $"{t.Pid} {t.State} {t.StateSinceNs}")) + $"\nnow {s.NowNs}";

    [Fact]
    public void The_window_keeps_the_page_that_may_hold_its_first_events()
    {
        static byte[] Page(ulong ts) { var p = new byte[4096]; BinaryPrimitives.WriteUInt64LittleEndian(p, ts); return p; }
        var w = new PageWindow();
        foreach (ulong ts in new ulong[] { 100, 200, 300 }) w.Add(0, Page(ts));
        w.Add(1, Page(50));
        Assert.Equal(2, w.TakeNew().Count);
        Assert.Empty(w.TakeNew());
        w.Trim(250);
        var kept = w.Snapshot();
        Assert.Equal([200UL, 300UL], kept.Single(c => c.Cpu == 0).Pages.Select(PageWindow.Start));
        Assert.Equal([50UL], kept.Single(c => c.Cpu == 1).Pages.Select(PageWindow.Start)); // its CPU's newest page stays
        Assert.Equal(3 * 4096, w.Bytes);
    }

    [Theory]
    [InlineData("6,1234,5000123456,-;hello world\n SUBSYSTEM=block\n", 5000123456000L, "[ 5000.123456] hello world")]
    [InlineData("4,7,12,-;x", 12000L, "[    0.000012] x")]
    public void A_kmsg_record_is_kept_as_dmesg_prints_it(string record, long ns, string line)
    {
        var r = KernelLogTail.Format(record);
        Assert.Equal((ns, line), r);
    }

    [Theory]
    [InlineData("no semicolon")]
    [InlineData("6,1;too few fields")]
    [InlineData("6,1,abc,-;time not a number")]
    public void A_record_that_is_not_kmsg_is_not_kept(string record) => Assert.Null(KernelLogTail.Format(record));

    /// <summary>The dump of the tasks blocked in a replay reads back through the kernel-log reader as reports of those
    /// tasks with the stacks of their sleeps (from __schedule on); a control character in a name does not reach it.</summary>
    [Fact]
    public void The_blocked_tasks_dump_reads_back_as_reports_with_their_stacks()
    {
        const string trace = """
                          dd-4005    [001] d..2.   370.722605: sched_switch: prev_comm=dd prev_pid=4005 prev_prio=120 prev_state=D ==> next_comm=swapper/1 next_pid=0 next_prio=120
                          dd-4005    [001] d..2.   370.722606: <stack trace>
             => trace_event_raw_event_sched_switch
             => __schedule
             => schedule
             => io_schedule
             => folio_wait_bit
             => folio_wait_writeback
             => xfs_file_fsync
                     a\x1bb-4006    [000] d..2.   370.722700: sched_switch: prev_comm=a\x1bb prev_pid=4006 prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120
                   other-4007    [000] d..2.   372.000000: sched_switch: prev_comm=other prev_pid=4007 prev_prio=120 prev_state=R ==> next_comm=swapper/0 next_pid=0 next_prio=120
            """;
        var (session, events) = Run.Text(trace.Replace("\\x1b", "\u001b", StringComparison.Ordinal));
        var analyzer = new Analyzer(session.Tables.Stacks);
        foreach (var e in events) analyzer.Observe(e);
        var lines = BlockedTasksDump.Lines(analyzer.State, session.Tables.Stacks, 372_000_000_000, _ => null);
        Assert.All(lines, l => Assert.True(UntrustedText.IsSafeOutput(l), l));
        var reports = Analyze.Text(string.Join("\n", lines) + "\n").SelectMany(f => f.Tasks).ToList();
        var dd = Assert.Single(reports, t => t.Pid == 4005);
        Assert.Equal("dd", dd.Comm);
        Assert.Equal(["folio_wait_bit", "folio_wait_writeback", "xfs_file_fsync"], dd.Stack.Where(f => f.StartsWith("f", StringComparison.Ordinal) || f.StartsWith("x", StringComparison.Ordinal)));
        Assert.DoesNotContain("trace_event_raw_event_sched_switch", dd.Stack);
        Assert.Contains(reports, t => t.Pid == 4006);
        Assert.DoesNotContain(reports, t => t.Pid == 4007);
        session.Dispose();
    }
}
