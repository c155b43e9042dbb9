using System.Security.Cryptography;
using System.Text;
using TraceForensics.Events.Reading;
using TraceForensics.Ingest.Diagnostics;
using TraceForensics.Ingest.Input;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Hostile;

/// <summary>Many inputs (issue 16, item 5): only a bounded number of input files is open at once, the others are
/// closed while they wait and opened again where they were, and the merge is the same as with every file open.</summary>
public class ManyInputsTests
{
    /// <summary>Input <paramref name="i"/> of many, overlapping in time with all the others.</summary>
    private static string TinyTrace(int i)
    {
        var text = new StringBuilder();
        for (int j = 0; j < 6; j++)
            text.Append($"          bash-{100 + i,-5} [{j % 4:000}] ..... {1000 + j * 0.001 + i * 0.000001,12:F6}: sched_switch: " +
                        $"prev_comm=bash prev_pid={100 + i} prev_prio=120 prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120\n");
        return text.ToString();
    }

    private static List<string> Events(TraceSession session) =>
        Run.Drain(session).Select(e => $"{e} {e.Source.Input}:{e.Source.Line}").ToList();

    [Fact]
    public void Three_hundred_inputs_with_eight_open_files_merge_as_with_all_open()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var paths = Enumerable.Range(0, 300).Select(i =>
            {
                var path = Path.Combine(dir, $"t{i:000}.txt");
                File.WriteAllText(path, TinyTrace(i));
                return path;
            }).ToList();
            var limits = InputLimits.Default with { MaxOpenFiles = 8 };
            using var bounded = TraceSession.Open(paths, new TraceSessionOptions { Limits = limits, HashInputs = true });
            using var unbounded = TraceSession.Open(paths.Select(p => (p, (Func<Stream>)(() => File.OpenRead(p)))));
            var expected = Events(unbounded);
            var merged = Events(bounded);

            Assert.Equal(300 * 6, expected.Count);
            Assert.Equal(expected, merged);
            Assert.NotNull(bounded.OpenFiles);
            Assert.True(bounded.OpenFiles!.PeakOpen <= 8, $"{bounded.OpenFiles.PeakOpen} files were open at once");
            Assert.True(bounded.OpenFiles.Evictions >= 300 - 8);
            // Each file read again from its start after the sniff (and again after each close) is hashed once.
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(paths[123]))), bounded.Inputs[123].Sha256);
            Assert.DoesNotContain(bounded.Tables.Diagnostics.Kept, d => d.Severity >= DiagnosticSeverity.Warning);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void A_file_that_shrank_while_it_waited_is_not_read_on_from_a_wrong_offset()
    {
        var path = Run.TempFile(new string('x', 100) + "\n");
        try
        {
            var bound = new OpenFileBound(1);
            using var shrinking = new ReopeningFileStream(path, bound);
            var buffer = new byte[50];
            Assert.Equal(50, shrinking.Read(buffer));
            using (var other = new ReopeningFileStream(path, bound)) Assert.False(shrinking.IsOpen); // closed to make room
            File.WriteAllText(path, "short\n");
            var e = Assert.Throws<IOException>(() => shrinking.Read(buffer));
            Assert.Contains("shorter", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_line_longer_than_a_small_starting_buffer_is_read_whole()
    {
        var line = new string('a', 10_000);
        using var reader = new LineReader(new MemoryStream(Encoding.ASCII.GetBytes($"{line}\nb\n")), maxLineBytes: 1 << 20, bufferBytes: 64);
        Assert.Equal(LineStatus.Line, reader.Read(out var first));
        Assert.Equal(line, Encoding.ASCII.GetString(first));
        Assert.Equal(LineStatus.Line, reader.Read(out var second));
        Assert.Equal("b", Encoding.ASCII.GetString(second));
    }

    [Fact]
    public void Inputs_past_the_inputs_limit_are_rejected_naming_the_limit()
    {
        var a = Run.TempFile(TinyTrace(1));
        var b = Run.TempFile(TinyTrace(2));
        try
        {
            using var session = TraceSession.Open([a, b], new TraceSessionOptions { Limits = InputLimits.Default with { MaxInputs = 1 } });
            Assert.Equal(6, Run.Drain(session).Count);
            var d = Assert.Single(session.Tables.Diagnostics.Kept, d => d.Code == DiagnosticCodes.LimitReached);
            Assert.Contains("MaxInputs = 1", d.Message);
        }
        finally
        {
            File.Delete(a);
            File.Delete(b);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void A_limit_out_of_its_range_is_refused_with_its_name(int value)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => InputLimits.Default with { MaxOpenFiles = value });
        Assert.Equal(nameof(InputLimits.MaxOpenFiles), e.ParamName);
    }
}
