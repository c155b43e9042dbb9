using System.IO.Compression;
using System.Text;
using TraceForensics.Events.Model;
using TraceForensics.Ingest.Formats;
using TraceForensics.Ingest.Input;
using TraceForensics.Ingest.TraceDat;

namespace TraceForensics.Cli.Capture;

/// <summary>`tracefx record -o FILE.txt[.gz]`: the recording's trace.dat, once the capture is over, as the text
/// <c>trace-cmd report</c> prints (one line per event, <c>=&gt;</c> stack frames, <c>CPU:N [n EVENTS DROPPED]</c> where
/// the ring buffer lost events), which tracefx's text reader reads back to the same events. Trace text is untrusted:
/// control characters become escapes, so every record stays one line.</summary>
internal static class TraceDatText
{
    public static void Write(string traceDat, Stream output, bool gzip)
    {
        using var input = InputOpener.Open(traceDat);
        using var source = new TraceDatRecordSource(input);
        Write(source, output, gzip);
    }

    /// <summary>The text of a recording made from its page files as they lie (one page per CPU in memory at a time,
    /// merged by timestamp; <see cref="TraceDatRecordSource.ForPages"/>) and the trace.dat's metadata, so that memory
    /// stays bounded however long the recording: no trace.dat is written or held for it.</summary>
    public static void Write(byte[] metadata, IReadOnlyList<(int Cpu, string PageFile)> pageFiles, Stream output, bool gzip)
    {
        var streams = new List<(int, Stream)>();
        try
        {
            foreach (var (cpu, file) in pageFiles)
                streams.Add((cpu, new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16)));
            using var source = TraceDatRecordSource.ForPages(metadata, streams);
            Write(source, output, gzip);
        }
        finally
        {
            foreach (var (_, s) in streams) s.Dispose();
        }
    }

    private static void Write(TraceDatRecordSource source, Stream output, bool gzip)
    {
        if (source.ReadError is { } error) throw new IOException($"the recording's trace.dat cannot be read: {error}");
        using Stream sink = gzip ? new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true) : new NonClosing(output);
        using var w = new StreamWriter(sink, Encoding.Latin1, 1 << 16);
        var record = new RawRecord();
        while (source.Read(ref record))
        {
            if (record.Kind is not (RecordKind.Event or RecordKind.StackStart or RecordKind.StackFrame or RecordKind.LostEvents)) continue;
            w.Write(UntrustedText.GuardOutput(TraceDatRecordSource.ReportLine(ref record).Replace("\n", "\\x0a", StringComparison.Ordinal)));
            w.Write('\n');
        }
    }

    /// <summary>The output stream stays the caller's to close.</summary>
    private sealed class NonClosing(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);
    }
}
