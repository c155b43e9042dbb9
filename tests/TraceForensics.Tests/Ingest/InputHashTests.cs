using System.Security.Cryptography;
using System.Text.Json;
using TraceForensics.Events.Reading;
using TraceForensics.Tests.Hostile;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Ingest;

/// <summary>An input's SHA-256 comes from the one reading the analysis makes (issue 16, item 4): a plain, a compressed
/// and a binary input are hashed while read, and a FIFO, which cannot be read twice, gets its hash too.</summary>
public class InputHashTests
{
    [Theory]
    [InlineData("lkml-xfs-kprobe-holder.ftrace.txt")]
    [InlineData("ext4-fsync.ftrace.txt.gz")]
    public void A_file_read_to_its_end_is_hashed_by_that_reading(string name)
    {
        var path = Path.Combine(TestPaths.SampleTraces, name);
        var session = TraceSession.Open([path], new TraceSessionOptions { HashInputs = true });
        Assert.Null(session.Inputs[0].Sha256); // nothing read yet
        Run.Drain(session);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), session.Inputs[0].Sha256);
    }

    [Fact]
    public async Task A_fifo_input_gets_the_hash_of_what_came_through_it()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var source = Path.Combine(TestPaths.SampleTraces, "lkml-xfs-kprobe-holder.ftrace.txt");
            var fifo = Path.Combine(dir, "in.fifo");
            OutputTargetTests.Mkfifo(fifo);
            var writer = Task.Run(() => File.WriteAllBytes(fifo, File.ReadAllBytes(source)));
            var (exit, stdout, stderr) = Run.Cli("analyze", "--format", "json", "--fail-on", "none", fifo);
            await writer.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(exit == 0, stderr);
            using var json = JsonDocument.Parse(stdout);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(source))),
                json.RootElement.GetProperty("inputs")[0].GetProperty("sha256").GetString());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
