using TraceForensics.Ingest.Input;

namespace TraceForensics.Tests.Ingest;

public class TempSpillTests
{
    /// <summary>The spill file has no name from the moment it is made (nothing is left in TMPDIR if the process is killed)
    /// and holds what is written to it, read back through its handle at offsets.</summary>
    [Fact]
    public void A_spill_file_is_unlinked_at_once_and_reads_back_at_offsets()
    {
        var prefix = $"tracefx-test-{Guid.NewGuid():N}";
        using var spill = TempSpill.Create(prefix, bufferSize: 1);
        Assert.NotNull(spill);
        Assert.Empty(Directory.GetFiles(Path.GetTempPath(), prefix + "*"));
        var bytes = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();
        spill.Write(bytes);
        spill.Flush();
        var back = new byte[1000];
        Assert.Equal(1000, RandomAccess.Read(spill.SafeFileHandle, back, 50_000));
        Assert.Equal(bytes.AsSpan(50_000, 1000).ToArray(), back);
    }
}
