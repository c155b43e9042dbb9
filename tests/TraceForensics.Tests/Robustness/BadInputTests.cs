using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using TraceForensics.Events.Model;
using TraceForensics.Events.Reading;
using TraceForensics.Ingest.Diagnostics;
using TraceForensics.Ingest.Formats;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Robustness;

/// <summary>Bad input never stops reading: the good lines around it are still events, and the bad part is a
/// diagnostic with its code and line.</summary>
public class BadInputTests
{
    // Real lines from the xfs-fsync capture.
    private const string Good1 = "     ksoftirqd/1-22      [001] d..2.   338.777135: sched_switch: prev_comm=ksoftirqd/1 prev_pid=22 prev_prio=120 prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120";
    private const string Good2 = "              dd-3685    [000] d..2.   338.777810: sched_switch: prev_comm=dd prev_pid=3685 prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120";
    private const string Good3 = "    kworker/u8:1-33      [001] d..3.   338.777900: sched_waking: comm=dd pid=3685 prio=120 target_cpu=000";

    private static Diagnostic Single(TraceSession session, string code)
    {
        var found = session.Tables.Diagnostics.Kept.Where(d => d.Code == code).ToList();
        Assert.True(found.Count == 1, $"expected one {code} diagnostic, got: {string.Join(" | ", session.Tables.Diagnostics.Kept)}");
        return found[0];
    }

    private static void AssertGoodEvents(List<TraceEvent> events, params (int Pid, long Line)[] expected)
    {
        events = events.Where(e => e.Kind != EventKind.TraceGap).ToList(); // a lost-events marker is not an event
        Assert.Equal(expected.Select(x => x.Pid), events.Select(e => e.Pid));
        Assert.Equal(expected.Select(x => x.Line), events.Select(e => e.Source.Line));
    }

    [Theory]
    [InlineData("this is prose, not a trace line")]
    [InlineData("     ksoftirqd/1-22      [001] d..2.   338.777135 sched_switch no colon after the time")]
    [InlineData("     ksoftirqd/1-22      [001] d..2.   not-a-time: sched_switch: x")]
    [InlineData("nocommpid [001] 1.0: ev: x")]
    [InlineData("  task-12 (34 [001] 1.0: ev: x")]
    [InlineData("  task-12 [99999999999999999999] 1.0: ev: x")]
    [InlineData("  task-12 [001] 1.1234567890: ev: x")]
    [InlineData("  task-12 [001] 99999999999.5: ev: x")]
    public void Malformed_line_between_good_lines(string bad)
    {
        var (session, events) = Run.Text($"{Good1}\n{bad}\n{Good2}\n");
        AssertGoodEvents(events, (22, 1), (3685, 3));
        var d = Single(session, DiagnosticCodes.UnrecognizedLine);
        Assert.Equal(2, d.Line);
        Assert.Equal("test", d.Path);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Binary_junk_in_the_middle(int seed)
    {
        var junk = new byte[200];
        new Random(seed).NextBytes(junk);
        for (int i = 0; i < junk.Length; i++) if (junk[i] == (byte)'\n') junk[i] = 0xFF;
        junk[0] = 0; junk[10] = 0; junk[11] = 0x01;
        var bytes = Concat(Encoding.UTF8.GetBytes(Good1 + "\n"), junk, "\n"u8.ToArray(), Encoding.UTF8.GetBytes(Good2 + "\n" + Good3 + "\n"));

        var (session, events) = Run.Bytes(bytes);

        AssertGoodEvents(events, (22, 1), (3685, 3), (33, 4));
        var d = Single(session, DiagnosticCodes.BinaryLine);
        Assert.Equal(2, d.Line);
        Assert.Contains("binary", d.Message);
    }

    [Fact]
    public void Invalid_utf8_in_a_comm_is_read_with_replacement_characters()
    {
        var bad = Concat("    dd"u8.ToArray(), [0xFF, 0xC3, 0x28], "x-4242 [001] d..2.   338.777500: sched_waking: comm=dd pid=3685 prio=120 target_cpu=000"u8.ToArray());
        var bytes = Concat(Encoding.UTF8.GetBytes(Good1 + "\n"), bad, Encoding.UTF8.GetBytes("\n" + Good2 + "\n"));

        var (session, events) = Run.Bytes(bytes);

        AssertGoodEvents(events, (22, 1), (4242, 2), (3685, 3));
        Assert.Contains('\uFFFD', events[1].Comm);
        Assert.StartsWith("dd", events[1].Comm);
        Assert.EndsWith("x", events[1].Comm);
        Assert.Equal(EventKind.SchedWaking, events[1].Kind);
        Assert.DoesNotContain(session.Tables.Diagnostics.Kept, d => d.Severity != DiagnosticSeverity.Info);
    }

    [Fact]
    public void A_100_MB_line_is_skipped_without_holding_it_and_both_neighbours_are_read()
    {
        const long hugeLength = 100L * 1024 * 1024;
        var stream = new LazyStream(Encoding.UTF8.GetBytes(Good1 + "\n"), (byte)'x', hugeLength, Encoding.UTF8.GetBytes("\n" + Good2 + "\n"));
        using var session = TraceSession.Open([("huge", () => (Stream)stream)]);

        var events = Run.Drain(session);

        Assert.True(stream.Finished, "the whole input was read");
        AssertGoodEvents(events, (22, 1), (3685, 3));
        Assert.Equal(TraceFormat.Ftrace, session.Inputs[0].Format);
        var d = Single(session, DiagnosticCodes.OverlongLine);
        Assert.Equal(2, d.Line);
        Assert.Equal("huge", d.Path);
        Assert.Contains($"{hugeLength + 1} bytes", d.Message);
        Assert.Equal(3, session.Inputs[0].Lines);
    }

    [Fact]
    public void Out_of_order_timestamps_are_reordered_within_the_window_and_reported_beyond_it()
    {
        var text = string.Join("\n",
            "  a-1 [000] ....   100.000000: sched_waking: comm=x pid=11 prio=120 target_cpu=000",
            "  a-2 [001] ....    99.990000: sched_waking: comm=x pid=12 prio=120 target_cpu=000", // 10 ms back: reordered
            "  a-3 [000] ....   100.500000: sched_waking: comm=x pid=13 prio=120 target_cpu=000", // releases the two before
            "  a-4 [000] ....    50.000000: sched_waking: comm=x pid=14 prio=120 target_cpu=000", // 50 s back: reported
            "  a-5 [000] ....   101.000000: sched_waking: comm=x pid=15 prio=120 target_cpu=000") + "\n";

        var (session, events) = Run.Text(text);

        Assert.Equal(5, events.Count);
        Assert.Equal([2, 1], events.Take(2).Select(e => e.Pid)); // put back in time order
        Assert.Equal([1, 2, 3, 4, 5], events.Select(e => e.Pid).Order());
        var d = Single(session, DiagnosticCodes.TimeWentBack);
        Assert.Equal(4, d.Line);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Contains("50.000000", d.Message);
        Assert.Equal(50_000_000_000L, session.Inputs[0].FirstTimestampNs);
    }

    [Fact]
    public void A_stack_after_an_event_that_went_back_in_time_still_belongs_to_it()
    {
        // perf-tools' tpoint -s output: an earlier capture pasted after a later one, each event with its stack.
        var text = string.Join("\n",
            "           cksum-12994 [001] d... 7269913.379904: block_rq_issue: 202,1 R 0 () 11583744 + 256 [cksum]",
            "       supervise-1691  [000] d... 7269511.079179: block_rq_issue: 202,1 W 0 () 17040232 + 8 [supervise]",
            "       supervise-1691  [000] d... 7269511.079188: <stack trace>",
            " => blk_peek_request",
            " => do_blkif_request",
            "           cksum-7428  [000] d... 7269511.331778: block_rq_issue: 202,1 R 0 () 9006848 + 208 [cksum]",
            "           cksum-7428  [000] d... 7269511.331784: <stack trace>",
            " => blk_peek_request",
            " => queue_unplugged") + "\n";

        var (session, events) = Run.Text(text);

        Assert.Equal(3, events.Count);
        Assert.Equal(0, session.Tables.Diagnostics.CountFor("test", DiagnosticCodes.OrphanStackFrame));
        Assert.Equal(2, session.Inputs[0].Stacks);
        Assert.All(events.Where(e => e.Pid != 12994), e => Assert.NotEqual(0, e.StackId));
        Assert.Equal([1691, 7428, 12994], events.Select(e => e.Pid)); // all in the window: back in time order
    }

    [Fact]
    public void Lost_events_marker_is_counted_and_explained()
    {
        var (session, events) = Run.Text($"{Good1}\nCPU:1 [LOST 1234 EVENTS]\n{Good2}\n");

        AssertGoodEvents(events, (22, 1), (3685, 3));
        Assert.Equal(1234, session.Inputs[0].LostEvents);
        var d = Single(session, DiagnosticCodes.LostEvents);
        Assert.Equal(2, d.Line);
        Assert.Equal(DiagnosticSeverity.Info, d.Severity);
        Assert.Contains("1234", d.Message);
        Assert.Contains("cpu 1", d.Message);
    }

    [Fact]
    public void Entries_in_buffer_below_entries_written_means_overwritten_events()
    {
        var text = $"# tracer: nop\n#\n# entries-in-buffer/entries-written: 10/20   #P:2\n#\n{Good1}\n{Good2}\n";

        var (session, events) = Run.Text(text);

        AssertGoodEvents(events, (22, 5), (3685, 6));
        Assert.Equal(10, session.Inputs[0].LostEvents);
        var d = Single(session, DiagnosticCodes.BufferOverwritten);
        Assert.Equal(3, d.Line);
        Assert.Equal(DiagnosticSeverity.Info, d.Severity);
        Assert.Equal(1, session.Tables.Diagnostics.Total);
    }

    [Fact]
    public void Entries_in_buffer_equal_to_entries_written_is_silent()
    {
        var (session, events) = Run.Text($"# entries-in-buffer/entries-written: 20/20   #P:2\n{Good1}\n");
        Assert.Single(events);
        Assert.Equal(0, session.Inputs[0].LostEvents);
        Assert.Equal(0, session.Tables.Diagnostics.Total);
    }

    // ---- truncated compressed inputs ----

    private const int TruncLines = 4000;

    private static string TruncLine(int i) =>
        $"    kworker/u8:1-33      [001] d..3. {338 + i / 1000}.{i % 1000:000}{i % 7:000}: sched_waking: comm=task{i} pid={10000 + i} prio=120 target_cpu=000";

    private static byte[] TruncText()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < TruncLines; i++) sb.Append(TruncLine(i)).Append('\n');
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>Reads a compressed input cut in half: every event read is exactly one of the first lines, in order
    /// and uncorrupted; as many are read as the format's own command line tool recovers (less at most one 4 KB
    /// read of the decompressor); every other line is a diagnostic; the cut is an error diagnostic.</summary>
    private static void AssertTruncatedRead(byte[] compressed, string name, string tool)
    {
        var cut = compressed[..(compressed.Length / 2)];
        var session = TraceSession.Open([(name, () => (Stream)new MemoryStream(cut))]);
        var events = Run.Drain(session);

        Assert.Null(session.Inputs[0].Rejection);
        Assert.True(events.Count > 0);
        Assert.True(events.Count < TruncLines);
        for (int i = 0; i < events.Count; i++)
        {
            Assert.Equal(i + 1, events[i].Source.Line);
            Assert.Equal(10000 + i, events[i].Payload.OtherPid);
            Assert.Equal($"task{i}", events[i].Payload.OtherComm);
        }
        var d = Single(session, DiagnosticCodes.TruncatedInput);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal(name, d.Path);
        Assert.True(d.Line >= events.Count, $"truncation reported at line {d.Line}, after {events.Count} events");
        // Lines past the last good one (the cut line, garbage a decoder made of the cut) are diagnosed, not events.
        var log = session.Tables.Diagnostics;
        Assert.Equal(session.Inputs[0].Lines - events.Count,
            log.CountFor(name, DiagnosticCodes.UnrecognizedLine) + log.CountFor(name, DiagnosticCodes.BinaryLine));

        if (Pipe(tool, "-d -c", cut) is { } reference)
        {
            int recoverable = reference.Count(b => b == (byte)'\n');
            int slack = 4096 / TruncLine(0).Length + 1;
            Assert.True(events.Count >= recoverable - slack, $"{events.Count} events read, {tool} recovers {recoverable} lines");
        }
    }

    [Fact]
    public void Truncated_gzip_keeps_the_events_before_the_cut()
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(TruncText());
        AssertTruncatedRead(ms.ToArray(), "cut.gz", "gzip");
    }

    [Fact]
    public void Truncated_zstd_keeps_the_events_before_the_cut()
    {
        using var compressor = new ZstdSharp.Compressor(3);
        AssertTruncatedRead(compressor.Wrap(TruncText()).ToArray(), "cut.zst", "zstd");
    }

    [SkippableFact]
    public void Truncated_xz_keeps_the_events_before_the_cut() => AssertTruncatedRead(XzCompress(TruncText()), "cut.xz", "xz");

    /// <summary>Compresses with the xz command line tool; skips the test when it is not installed.</summary>
    private static byte[] XzCompress(byte[] text)
    {
        var output = Pipe("xz", "-z -c -6", text);
        Skip.If(output is null, "the xz command line tool is not installed");
        return output!;
    }

    /// <summary>Runs a tool on PATH with <paramref name="input"/> on stdin; its stdout, or null when the tool is
    /// absent. The exit code is ignored (a decompressor fails on a cut input after writing what it could).</summary>
    private static byte[]? Pipe(string tool, string args, byte[] input)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
        if (path is null) return null;
        var psi = new ProcessStartInfo(path, args)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var p = Process.Start(psi)!;
        var writer = Task.Run(() => { p.StandardInput.BaseStream.Write(input); p.StandardInput.Close(); });
        var errors = p.StandardError.ReadToEndAsync();
        using var output = new MemoryStream();
        p.StandardOutput.BaseStream.CopyTo(output);
        writer.Wait();
        errors.Wait();
        p.WaitForExit();
        return output.ToArray();
    }

    [Fact]
    public void Whole_gzip_and_zstd_inputs_read_without_diagnostics()
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(TruncText());
        using var compressor = new ZstdSharp.Compressor(3);
        foreach (var bytes in new[] { ms.ToArray(), compressor.Wrap(TruncText()).ToArray() })
        {
            var (session, events) = Run.Bytes(bytes);
            Assert.Equal(TruncLines, events.Count);
            Assert.Equal(0, session.Tables.Diagnostics.Total);
        }
    }

    [SkippableFact]
    public void Whole_xz_input_reads_without_diagnostics()
    {
        var (session, events) = Run.Bytes(XzCompress(TruncText()));
        Assert.Null(session.Inputs[0].Rejection);
        Assert.Equal(TruncLines, events.Count);
        Assert.Equal(0, session.Tables.Diagnostics.Total);
    }

    [Fact]
    public void Compressed_input_cut_inside_its_header_is_rejected_with_the_reason()
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(TruncText());
        var (session, events) = Run.Bytes(ms.ToArray()[..6]);
        Assert.Empty(events);
        Assert.NotNull(session.Inputs[0].Rejection);
        Assert.Equal(0, Single(session, DiagnosticCodes.UnsupportedFormat).Line);
    }

    // ---- rejected inputs ----

    [Fact]
    public void A_stream_of_nul_bytes_is_rejected_as_what_it_is_not_as_empty()
    {
        var (session, events) = Run.Bytes(new byte[200_000]);
        Assert.Empty(events);
        Assert.Equal("no line break in its first 200000 bytes (all NUL bytes): not trace text", session.Inputs[0].Rejection);
    }

    [Fact]
    public void Empty_input_is_rejected()
    {
        var (session, events) = Run.Bytes([]);
        Assert.Empty(events);
        Assert.False(session.AnyReadable);
        Assert.Equal("the input is empty", session.Inputs[0].Rejection);
        var d = Single(session, DiagnosticCodes.UnsupportedFormat);
        Assert.Equal(0, d.Line);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
    }

    [Fact]
    public void Pure_binary_input_is_rejected()
    {
        var bytes = new byte[10000];
        new Random(7).NextBytes(bytes);
        bytes[0] = 0x00; // not a compression magic
        var (session, events) = Run.Bytes(bytes);
        Assert.Empty(events);
        Assert.False(session.AnyReadable);
        Assert.Contains("binary", session.Inputs[0].Rejection);
        Assert.Equal(0, Single(session, DiagnosticCodes.UnsupportedFormat).Line);
    }

    [Fact]
    public void Stats_exits_2_when_nothing_can_be_read_and_3_when_one_input_of_two_is_good()
    {
        var dir = Directory.CreateTempSubdirectory("tracefx-robust-");
        try
        {
            string empty = Path.Combine(dir.FullName, "empty.txt");
            string junk = Path.Combine(dir.FullName, "junk.bin");
            string good = Path.Combine(dir.FullName, "good.txt");
            File.WriteAllBytes(empty, []);
            var bytes = new byte[4096];
            new Random(3).NextBytes(bytes);
            bytes[0] = 0x00;
            File.WriteAllBytes(junk, bytes);
            File.WriteAllText(good, $"{Good1}\n{Good2}\n");

            var onlyEmpty = Run.Cli("stats", empty);
            Assert.Equal(2, onlyEmpty.Exit);
            Assert.Contains("empty", onlyEmpty.Stderr);
            Assert.Contains("[unsupported-format]", onlyEmpty.Stderr);

            var onlyJunk = Run.Cli("stats", junk);
            Assert.Equal(2, onlyJunk.Exit);
            Assert.Contains("binary", onlyJunk.Stderr);

            var both = Run.Cli("stats", good, junk);
            Assert.Equal(3, both.Exit); // read and printed, but an input was lost: the exit code says so
            Assert.Equal(0, Run.Cli("stats", good).Exit);
            Assert.Contains("2 events", both.Stdout);
            Assert.Contains("sched_switch", both.Stdout);
            Assert.Contains("junk.bin", both.Stderr);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    // ---- line endings ----

    [Fact]
    public void Final_line_without_a_newline_is_read()
    {
        var (session, events) = Run.Text($"{Good1}\n{Good2}");
        AssertGoodEvents(events, (22, 1), (3685, 2));
        Assert.Equal(0, session.Tables.Diagnostics.Total);
        Assert.Equal(2, session.Inputs[0].Lines);
    }

    [Fact]
    public void Crlf_line_endings_are_read_like_lf()
    {
        var (session, events) = Run.Text($"# tracer: nop\r\n{Good1}\r\n{Good2}\r\n{Good3}");
        AssertGoodEvents(events, (22, 2), (3685, 3), (33, 4));
        Assert.Equal(0, session.Tables.Diagnostics.Total);
        Assert.Equal("swapper/0", events[1].Payload.OtherComm);
        Assert.Equal(3685, events[2].Payload.OtherPid);
        Assert.DoesNotContain('\r', events[2].Comm);
    }

    [Fact]
    public void Crlf_perf_script_callchain_is_attached()
    {
        var text = "perf  4124 [000]   392.336511:                     sched:sched_waking: comm=migration/0 pid=18 prio=0 target_cpu=000\r\n" +
                   "\tffffffff813b4986 try_to_wake_up+0x3b6 ([kernel.kallsyms])\r\n" +
                   "\tffffffff814755b9 cpu_stop_queue_work+0xd9 ([kernel.kallsyms])\r\n" +
                   "\r\n" +
                   "migration/0    18 [000]   392.336630:                     sched:sched_waking: comm=perf pid=4124 prio=120 target_cpu=000\r\n";
        var (session, events) = Run.Text(text);
        Assert.Equal(TraceFormat.PerfScript, session.Inputs[0].Format);
        Assert.Equal(2, events.Count);
        Assert.NotEqual(0, events[0].StackId);
        Assert.Equal(0, session.Tables.Diagnostics.Total);
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>A read-only stream of a prefix, then <paramref name="fillLength"/> copies of one byte produced on
    /// demand (never held), then a suffix.</summary>
    private sealed class LazyStream(byte[] prefix, byte fill, long fillLength, byte[] suffix) : Stream
    {
        private long _pos;
        private long Total => prefix.Length + fillLength + suffix.Length;
        public bool Finished => _pos == Total;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int written = 0;
            while (written < buffer.Length && _pos < Total)
            {
                var dest = buffer[written..];
                int n;
                if (_pos < prefix.Length)
                {
                    n = (int)Math.Min(dest.Length, prefix.Length - _pos);
                    prefix.AsSpan((int)_pos, n).CopyTo(dest);
                }
                else if (_pos < prefix.Length + fillLength)
                {
                    n = (int)Math.Min(dest.Length, prefix.Length + fillLength - _pos);
                    dest[..n].Fill(fill);
                }
                else
                {
                    long at = _pos - prefix.Length - fillLength;
                    n = (int)Math.Min(dest.Length, suffix.Length - at);
                    suffix.AsSpan((int)at, n).CopyTo(dest);
                }
                _pos += n;
                written += n;
            }
            return written;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
