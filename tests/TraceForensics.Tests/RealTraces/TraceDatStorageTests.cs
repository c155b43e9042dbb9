using System.IO.Compression;
using System.Security.Cryptography;
using TraceForensics.Events.Reading;
using TraceForensics.Ingest.Formats;
using TraceForensics.Ingest.Input;
using TraceForensics.Ingest.TraceDat;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.RealTraces;

/// <summary>Issue 15: a trace.dat is read once. A plain file's bytes are hashed as its pages are read (the SHA-256 the
/// reports print is the one of the whole file, as before); a gzip'd one (or stdin) that is not short is copied on to a
/// temporary file and read from there at offsets, so memory does not grow with it. Skips when ../shared is absent.</summary>
public sealed class TraceDatStorageTests
{
    private static string Capture => Path.Combine(Require.RealTraces(), "xfs-fsync.trace.dat");

    [SkippableFact]
    public void A_plain_trace_dat_is_hashed_as_it_is_read_to_the_hash_of_its_bytes()
    {
        var path = Capture;
        var session = TraceSession.Open([path], new TraceSessionOptions { HashInputs = true });
        Assert.Null(session.Inputs[0].Sha256); // nothing read yet
        Assert.True(Run.Drain(session).Count > 1500);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), session.Inputs[0].Sha256);
    }

    [SkippableFact]
    public void A_gzipped_trace_dat_is_spilled_to_a_file_and_gives_the_records_and_hash_of_the_plain_one()
    {
        var dir = Directory.CreateTempSubdirectory("tracefx-dat-").FullName;
        try
        {
            var plain = Capture;
            var gz = Path.Combine(dir, "xfs-fsync.trace.dat.gz");
            using (var output = File.Create(gz))
            using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
                gzip.Write(File.ReadAllBytes(plain));

            var expected = Records(plain, out bool plainInMemory, out _);
            Assert.False(plainInMemory);
            // The capture (1.1 MB) is under the bytes held in memory: spill everything on this thread.
            TraceDatStorage.t_inMemoryBytes = 0;
            List<string> spilled;
            string? hash;
            try { spilled = Records(gz, out bool spilledInMemory, out hash); Assert.False(spilledInMemory); }
            finally { TraceDatStorage.t_inMemoryBytes = null; }
            var held = Records(gz, out bool heldInMemory, out var heldHash);
            Assert.True(heldInMemory);

            Assert.True(expected.Count > 1500);
            Assert.Equal(expected, spilled);
            Assert.Equal(expected, held);
            var gzHash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(gz)));
            Assert.Equal(gzHash, hash);
            Assert.Equal(gzHash, heldHash);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>A gzip'd trace.dat whose gzip trailer (CRC-32, length; RFC 1952 section 2.3.1) does not match its data
    /// is said to be damaged, as a gzip'd text trace is: the decompression's error is the record source's, not dropped
    /// because the spill read the stream before the records were read.</summary>
    [SkippableFact]
    public void A_gzipped_trace_dat_with_a_damaged_trailer_says_so()
    {
        var dir = Directory.CreateTempSubdirectory("tracefx-dat-").FullName;
        try
        {
            var gz = Path.Combine(dir, "damaged.trace.dat.gz");
            using (var output = File.Create(gz))
            using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
                gzip.Write(File.ReadAllBytes(Capture));
            var bytes = File.ReadAllBytes(gz);
            for (int i = bytes.Length - 8; i < bytes.Length - 4; i++) bytes[i] ^= 0x5a; // the CRC-32
            File.WriteAllBytes(gz, bytes);

            using var source = new TraceDatRecordSource(InputOpener.Open(gz, hash: true));
            var record = new RawRecord();
            int n = 0;
            while (source.Read(ref record)) n++;
            Assert.True(n > 1500); // the data itself is whole: what was read is analysed
            Assert.NotNull(source.ReadError);
            Assert.Contains("gzip", source.ReadError);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>Every record of the file as <c>trace-cmd report</c> prints it, read through an input that is hashed.</summary>
    private static List<string> Records(string path, out bool heldInMemory, out string? sha256)
    {
        var input = InputOpener.Open(path, hash: true);
        using var source = new TraceDatRecordSource(input);
        Assert.Null(source.ReadError);
        heldInMemory = source.HeldInMemory;
        var lines = new List<string>();
        var record = new RawRecord();
        while (source.Read(ref record)) lines.Add(TraceDatRecordSource.ReportLine(ref record));
        sha256 = input.Sha256;
        return lines;
    }
}
