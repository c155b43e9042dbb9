using System.Buffers.Binary;
using System.Diagnostics;
using TraceForensics.Capture;
using TraceForensics.Events.Model;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Ingest;

/// <summary>The trace.dat `record` writes, from ring-buffer pages as trace_pipe_raw hands them over: tracefx's reader
/// gets every event back, and a page that reports lost events (RB_MISSED_EVENTS / RB_MISSED_STORED in its commit word)
/// becomes a lost-events mark on that CPU, before that page's first event, and a gap in the replay, as the text path's
/// "CPU:N [n EVENTS DROPPED]" lines do; `trace-cmd report` (when installed) reads the same count. Pages and formats are
/// made here (a tracefs-like directory), so no root and no tracefs are needed.</summary>
public sealed class TraceDatWriterTests
{
    private const int PageSize = 4096;
    private const int EventId = 999;

    private const string HeaderPage =
        "\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n" +
        "\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n\tfield: char data;\toffset:16;\tsize:4080;\tsigned:0;\n";
    private const string HeaderEvent =
        "# compressed entry header\n\ttype_len    :    5 bits\n\ttime_delta  :   27 bits\n\tarray       :   32 bits\n\n" +
        "\tpadding     : type == 29\n\ttime_extend : type == 30\n\ttime_stamp : type == 31\n\tdata max type_len  == 28\n";
    private const string Format =
        "name: tfx_probe\nID: 999\nformat:\n" +
        "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n" +
        "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n" +
        "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n" +
        "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n" +
        "\tfield:int value;\toffset:8;\tsize:4;\tsigned:1;\n\n" +
        "print fmt: \"value=%d\", REC->value\n";

    /// <summary>A ring-buffer page: u64 time stamp, the 8-byte commit word, then <paramref name="events"/> events of 12
    /// bytes (type_len 3), 1000 ns apart; <paramref name="lost"/> stored after the data with both missed flags.</summary>
    private static byte[] Page(ulong time, int events, int pid, long lost = 0)
    {
        var page = new byte[PageSize];
        BinaryPrimitives.WriteUInt64LittleEndian(page, time);
        int at = 16;
        for (int i = 0; i < events; i++)
        {
            uint delta = i == 0 ? 0u : 1000u;
            BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(at), 3u | delta << 5);
            BinaryPrimitives.WriteUInt16LittleEndian(page.AsSpan(at + 4), EventId);
            BinaryPrimitives.WriteInt32LittleEndian(page.AsSpan(at + 8), pid);
            BinaryPrimitives.WriteInt32LittleEndian(page.AsSpan(at + 12), i);
            at += 16;
        }
        ulong commit = (ulong)(at - 16);
        if (lost > 0)
        {
            BinaryPrimitives.WriteInt64LittleEndian(page.AsSpan(at), lost);
            commit |= 1UL << 31 | 1UL << 30;
        }
        BinaryPrimitives.WriteUInt64LittleEndian(page.AsSpan(8), commit);
        return page;
    }

    private static string MakeTracefs(string dir, string writerComm = "writer")
    {
        var root = Path.Combine(dir, "tracefs");
        Directory.CreateDirectory(Path.Combine(root, "events", "tfx", "tfx_probe"));
        File.WriteAllText(Path.Combine(root, "events", "header_page"), HeaderPage);
        File.WriteAllText(Path.Combine(root, "events", "header_event"), HeaderEvent);
        File.WriteAllText(Path.Combine(root, "events", "tfx", "tfx_probe", "format"), Format);
        File.WriteAllText(Path.Combine(root, "saved_cmdlines"), $"4242 {writerComm}\n4343 flusher\n");
        File.WriteAllText(Path.Combine(root, "kallsyms"), "ffffffff81000000 T _stext\n");
        return root;
    }

    /// <summary>Two CPUs' page files in <paramref name="dir"/> and a writer of them over a tracefs-like directory.</summary>
    private static (TraceDatWriter Writer, string Cpu0, string Cpu1) Writer(string dir, bool zstd, byte[] cpu0Pages, byte[] cpu1Pages,
                                                                          string writerComm = "writer")
    {
        var root = MakeTracefs(dir, writerComm);
        var cpu0 = Path.Combine(dir, "cpu0.pages");
        var cpu1 = Path.Combine(dir, "cpu1.pages");
        File.WriteAllBytes(cpu0, cpu0Pages);
        File.WriteAllBytes(cpu1, cpu1Pages);
        var writer = new TraceDatWriter(PageSize, zstd);
        writer.AddMetadata(root, ["tfx/tfx_probe"], Path.Combine(root, "kallsyms"));
        writer.AddCpu(0, cpu0, "CPU: 0\n");
        writer.AddCpu(1, cpu1, "CPU: 1\n");
        return (writer, cpu0, cpu1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Pages_written_as_trace_dat_read_back_with_the_lost_events_placed_on_their_cpu(bool zstd)
    {
        var dir = Directory.CreateTempSubdirectory("tracefx-writer-").FullName;
        try
        {
            // cpu 0: 3 pages of 20 events, the second reporting 77 lost events before it; cpu 1: 2 pages of 5.
            var (writer, cpu0, cpu1) = Writer(dir, zstd, [.. Page(1_000_000, 20, 4242), .. Page(2_000_000, 20, 4242, lost: 77), .. Page(3_000_000, 20, 4242)],
                [.. Page(1_500_000, 5, 4343), .. Page(2_500_000, 5, 4343)]);

            var counted = RecordedPages.Count(0, cpu0, PageSize);
            Assert.Equal((3L, 60L, 77L), (counted.Pages, counted.Events, counted.Lost));
            Assert.Equal([(1L, 77L)], counted.Losses);
            Assert.Equal(10, RecordedPages.Count(1, cpu1, PageSize).Events);

            var dat = Path.Combine(dir, "t.dat");
            using (var s = File.Create(dat)) writer.Write(s, dir);

            var (session, events) = Run.Files(dat);
            Assert.Null(session.Inputs[0].Rejection);
            Assert.Equal(70, events.Count(e => e.Name == "tfx_probe"));
            Assert.Equal(77, session.Inputs[0].LostEvents);
            var gap = Assert.Single(events, e => e.Kind == EventKind.TraceGap);
            Assert.Equal(0, gap.Cpu);
            // Placed between the records: after cpu 0's first page, before its second page's first event.
            var before = events.TakeWhile(e => e.Kind != EventKind.TraceGap).Where(e => e.Cpu == 0 && e.Name == "tfx_probe").ToList();
            Assert.Equal(20, before.Count);
            Assert.All(events.Where(e => e.Name == "tfx_probe"), e => Assert.Equal(e.Cpu == 0 ? "writer" : "flusher", e.Comm));

            if (TraceCmd is { } traceCmd)
            {
                var report = Exec(traceCmd, "report", "-i", dat);
                Assert.Equal(70, report.Split('\n').Count(l => l.Contains("tfx_probe:", StringComparison.Ordinal)));
                Assert.Contains("CPU:0 [77 EVENTS DROPPED]", report);
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>`record -o x.txt` and the trace of a watch incident hold task names from the kernel: in the text every
    /// control character and bidi override of a name is escaped (issue 16: one sanitizer for every writer), and the text
    /// reads back to the escaped name. The trace.dat itself keeps the kernel's bytes (it is the record, read by readers
    /// that escape).</summary>
    [Fact]
    public void A_hostile_task_name_reaches_the_recorded_text_escaped()
    {
        var dir = Directory.CreateTempSubdirectory("tracefx-hostile-text-").FullName;
        try
        {
            var (writer, cpu0, cpu1) = Writer(dir, false, Page(1_000_000, 2, 4242), Page(1_500_000, 1, 4343), writerComm: "ev\u001b]0;x\u0007il\u202e");
            var text = new MemoryStream();
            TraceForensics.Cli.Capture.TraceDatText.Write(writer.Metadata(), [(0, cpu0), (1, cpu1)], text, gzip: false);
            var bytes = text.ToArray();
            Assert.DoesNotContain(bytes, b => b is 0x1b or 0x07 or 0x0d || b is >= 0x80 and <= 0x9f);
            var path = Path.Combine(dir, "t.txt");
            File.WriteAllBytes(path, bytes);
            var (session, events) = Run.Files(path);
            using var _ = session;
            Assert.All(events.Where(e => e.Pid == 4242), e => Assert.True(UntrustedText.IsSafeOutput(e.Comm), e.Comm));
            Assert.Equal(2, events.Count(e => e.Pid == 4242 && e.Comm.StartsWith("ev\\x1b]0;x\\x07il", StringComparison.Ordinal)));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>`record -o x.txt`: the text made from the metadata and the page files streamed a page at a time is, byte
    /// for byte, the text of the whole trace.dat read at once (events merged across CPUs by time, the lost-events mark
    /// in its place, comms from the saved cmdlines), gzip or not.</summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Text_streamed_from_the_page_files_equals_the_text_of_the_whole_trace_dat(bool zstd, bool gzip)
    {
        var dir = Directory.CreateTempSubdirectory("tracefx-stream-").FullName;
        try
        {
            var (writer, cpu0, cpu1) = Writer(dir, zstd, [.. Page(1_000_000, 20, 4242), .. Page(2_000_000, 20, 4242, lost: 77), .. Page(3_000_000, 20, 4242)],
                [.. Page(1_500_000, 5, 4343), .. Page(2_500_000, 200, 4343), .. Page(9_000_000, 1, 4343)]);
            var dat = Path.Combine(dir, "t.dat");
            using (var s = File.Create(dat)) writer.Write(s, dir);

            var whole = new MemoryStream();
            TraceForensics.Cli.Capture.TraceDatText.Write(dat, whole, gzip);
            var streamed = new MemoryStream();
            TraceForensics.Cli.Capture.TraceDatText.Write(writer.Metadata(), [(0, cpu0), (1, cpu1)], streamed, gzip);
            Assert.Equal(whole.ToArray(), streamed.ToArray());

            var text = gzip ? new StreamReader(new System.IO.Compression.GZipStream(new MemoryStream(streamed.ToArray()), System.IO.Compression.CompressionMode.Decompress)).ReadToEnd()
                            : System.Text.Encoding.Latin1.GetString(streamed.ToArray());
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(60 + 206 + 1, lines.Length);
            Assert.Equal("CPU:0 [77 EVENTS DROPPED]", lines.Single(l => l.StartsWith("CPU:", StringComparison.Ordinal)));
            Assert.StartsWith("writer-4242 [000] 0.001000000: tfx_probe: value=0", lines[0]);
            Assert.StartsWith("flusher-4343 [001] 0.009000000: tfx_probe: value=0", lines[^1]);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>doctor --events counts a sample's events and ring-buffer bytes per event type: 16 bytes each here (a
    /// 4-byte header and 12 bytes of data); padding and the lost-count word are not events.</summary>
    [Fact]
    public void The_page_census_counts_events_and_bytes_per_event_type()
    {
        var dir = Directory.CreateTempSubdirectory("tracefx-census-").FullName;
        try
        {
            var pages = Path.Combine(dir, "cpu0.pages");
            File.WriteAllBytes(pages, [.. Page(1_000_000, 20, 4242), .. Page(2_000_000, 3, 4242, lost: 77)]);
            var census = new PageCensus();
            census.Add(pages, PageSize);
            Assert.Equal(2, census.Pages);
            Assert.Equal((23L, 23L * 16), Assert.Single(census.ByType, kv => kv.Key == EventId).Value);
            Assert.Single(census.ByType);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private static string? TraceCmd =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "trace-cmd")).FirstOrDefault(File.Exists);

    private static string Exec(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, err.Result);
        return output;
    }
}
