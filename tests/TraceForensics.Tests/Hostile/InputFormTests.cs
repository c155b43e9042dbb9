using System.IO.Compression;
using System.Text;
using TraceForensics.Ingest.Diagnostics;
using TraceForensics.Ingest.Formats;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Hostile;

/// <summary>Inputs whose form, not content, is hostile (issue 16, items 10 and 11): a trace behind an overlong first
/// line or junk, gzip members one after another, a gzip whose trailer alone is damaged, binary read as a given format.</summary>
public class InputFormTests
{
    private const int Lines = 3000;

    private static byte[] Trace()
    {
        var text = new StringBuilder();
        for (int i = 0; i < Lines; i++)
            text.Append($"          bash-{100 + i % 7,-5} [{i % 4:000}] ..... {1000 + i * 0.001,12:F6}: sched_switch: " +
                        $"prev_comm=bash prev_pid={100 + i % 7} prev_prio=120 prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120\n");
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(data);
        return ms.ToArray();
    }

    [Fact]
    public void A_trace_whose_first_line_is_over_64_KB_is_recognised()
    {
        var bytes = Encoding.ASCII.GetBytes("# " + new string('x', 100_000) + "\n").Concat(Trace()).ToArray();
        var (session, events) = Run.Bytes(bytes);
        Assert.Null(session.Inputs[0].Rejection);
        Assert.Equal(TraceFormat.Ftrace, session.Inputs[0].Format);
        Assert.Equal(Lines, events.Count);
    }

    [Fact]
    public void A_trace_after_90_KB_of_junk_lines_is_recognised()
    {
        var junk = new StringBuilder();
        while (junk.Length < 90_000) junk.Append("some banner a tool printed before the trace, not a trace line\n");
        var bytes = Encoding.ASCII.GetBytes(junk.ToString()).Concat(Trace()).ToArray();
        var (session, events) = Run.Bytes(bytes);
        Assert.Null(session.Inputs[0].Rejection);
        Assert.Equal(Lines, events.Count);
    }

    [Fact]
    public void Every_member_of_a_multi_member_gzip_is_read_without_a_diagnostic()
    {
        var trace = Trace();
        int half = Array.LastIndexOf(trace, (byte)'\n', trace.Length / 2) + 1;
        var bytes = Gzip(trace[..half]).Concat(Gzip(trace[half..])).ToArray();
        var (session, events) = Run.Bytes(bytes);
        Assert.Equal(Lines, events.Count);
        Assert.Equal(0, session.Tables.Diagnostics.Total);
    }

    [Fact]
    public void A_gzip_with_a_damaged_trailer_says_so_and_keeps_the_lines_before()
    {
        var bytes = Gzip(Trace());
        bytes[^5] ^= 0xff; // the CRC-32 (RFC 1952 2.3.1: CRC32 then ISIZE, 4 bytes each)
        var (session, events) = Run.Bytes(bytes);
        var d = Assert.Single(session.Tables.Diagnostics.Kept, d => d.Code == DiagnosticCodes.TruncatedInput);
        Assert.Contains("trailer (CRC-32, length) does not match", d.Message);
        Assert.DoesNotContain("unsupported compression method", d.Message);
        // .NET's decompressor drops what it decoded in the call that found the bad trailer: at most one 4 KB chunk.
        Assert.True(events.Count >= Lines - 4096 / 100 - 1, $"{events.Count} of {Lines} events read");
    }

    [Fact]
    public void Binary_data_read_as_a_given_format_is_rejected_not_clean()
    {
        var random = new Random(16);
        var bytes = new byte[100_000];
        random.NextBytes(bytes);
        var (session, events) = Run.Bytes(bytes, TraceFormat.Dmesg);
        Assert.Empty(events);
        Assert.Contains("not read as", session.Inputs[0].Rejection);
        Assert.Equal(1, session.Tables.Diagnostics.CountFor("test", DiagnosticCodes.UnsupportedFormat));
    }

    [Fact]
    public void A_cut_input_is_analysed_and_the_exit_code_says_part_was_lost()
    {
        var bytes = Gzip(Trace());
        var path = Run.TempFile("");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        try
        {
            foreach (var command in new[] { "analyze", "stats" })
            {
                var (exit, stdout, stderr) = Run.Cli(command, path);
                Assert.Equal(3, exit);
                Assert.Contains("the gzip data ends before its trailer", stderr);
                Assert.Contains("[truncated-input]", stderr);
                Assert.NotEqual("", stdout); // what was read is still printed
            }
            Assert.StartsWith("verdict: clean (0 findings)", Run.Cli("analyze", path).Stdout); // part of it read: its verdict
            File.WriteAllBytes(path, bytes);
            Assert.Equal(0, Run.Cli("analyze", path).Exit);
        }
        finally { File.Delete(path); }
    }

    /// <summary>Cut before its first event: nothing was read, which is not a trace found clean. A trace.dat's headers
    /// (the event formats, kallsyms, the cpus' sections) come before its first event: a gzip'd one cut 3000 bytes in
    /// is read as a trace.dat with no event.</summary>
    [SkippableFact]
    public void An_input_cut_before_its_first_event_is_nothing_read_not_clean()
    {
        var bytes = Gzip(File.ReadAllBytes(Path.Combine(Require.RealTraces(), "xfs-fsync.trace.dat")));
        var path = Run.TempFile("");
        File.WriteAllBytes(path, bytes[..3000]);
        try
        {
            var (exit, stdout, stderr) = Run.Cli("analyze", path);
            Assert.Equal(3, exit);
            Assert.Contains("[truncated-input]", stderr);
            Assert.StartsWith("verdict: nothing-read (0 findings)", stdout);
            Assert.Contains("\"verdict\": \"nothing-read\"", Run.Cli("analyze", "--format", "json", path).Stdout);
        }
        finally { File.Delete(path); }
    }
}
