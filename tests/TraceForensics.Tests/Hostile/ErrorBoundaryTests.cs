using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Hostile;

/// <summary>Every command runs inside one error boundary: what goes wrong is a message and exit 2 (never 1, the
/// "finding found" code), the .NET stack trace only with --debug; inputs that are no regular file are read, not crashed on.</summary>
public class ErrorBoundaryTests
{
    private static readonly string Lkml = Path.Combine(TestPaths.SampleTraces, "lkml-xfs-kprobe-holder.ftrace.txt");

    /// <summary>Stdout closed under the command (a pager that quit, `| head`): every write fails.</summary>
    private sealed class BrokenPipe : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;
        public override void Write(char value) => throw new IOException("Broken pipe");
        public override void Write(string? value) => throw new IOException("Broken pipe");
    }

    private static (int Exit, string Stderr) RunBroken(params string[] args)
    {
        var e = new StringWriter { NewLine = "\n" };
        int code = TraceForensics.Cli.Program.Run(args, new BrokenPipe(), e);
        return (code, e.ToString());
    }

    [Fact]
    public void A_failing_write_to_stdout_is_a_message_and_exit_2_with_the_stack_only_with_debug()
    {
        foreach (var args in new[] { new[] { "analyze", Lkml }, ["report", "--format", "lkml", Lkml], ["stats", Lkml], ["replay", "--at", "338.9", Lkml] })
        {
            var (exit, stderr) = RunBroken(args);
            Assert.Equal(2, exit);
            Assert.Contains($"tracefx {args[0]}: Broken pipe", stderr);
            Assert.DoesNotContain("   at ", stderr);
        }
        var (debugExit, debugStderr) = RunBroken("analyze", "--debug", Lkml);
        Assert.Equal(2, debugExit);
        Assert.Contains("   at ", debugStderr);
        Assert.Contains("System.IO.IOException: Broken pipe", debugStderr);
    }

    [Fact]
    public async Task A_fifo_input_is_read_once_like_a_process_substitution()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var fifo = Path.Combine(dir, "in.fifo");
            OutputTargetTests.Mkfifo(fifo);
            var writer = Task.Run(() => File.WriteAllBytes(fifo, File.ReadAllBytes(Lkml)));
            var (exit, stdout, stderr) = Run.Cli("analyze", "--fail-on", "none", fifo);
            await writer.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(exit == 0, stderr);
            Assert.StartsWith("verdict: deadlock", stdout);
            Assert.Contains("(ftrace, ", stdout); // all of it read: the .NET-dump sniff took no bytes from the FIFO
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void A_directory_or_a_proc_file_as_input_is_a_diagnostic_exit_2_and_no_verdict()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            foreach (var input in new[] { dir, "/proc/version" })
            {
                var (exit, stdout, stderr) = Run.Cli("analyze", input);
                Assert.Equal(2, exit);
                Assert.Equal("", stdout);
                Assert.DoesNotContain("verdict:", stdout + stderr);
                Assert.Contains($"{input}: error:", stderr);
                Assert.Contains("no input could be read", stderr);
                Assert.DoesNotContain("empty", stderr); // a /proc file has size 0 but content: it was read
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void A_dot_that_exits_before_reading_the_graph_is_an_error_not_a_crash()
    {
        // A graph larger than a pipe's buffer: writing it to a program that does not read it breaks the pipe.
        var dot = "digraph g {\n" + string.Concat(Enumerable.Range(0, 20000).Select(i => $"  n{i} -> n{i + 1};\n")) + "}\n";
        var svg = TraceForensics.Cli.Reports.SvgRenderer.Render(dot, "false", out var error);
        Assert.Null(svg);
        Assert.Contains("failed (exit 1)", error);
    }
}
