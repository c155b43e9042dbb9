namespace TraceForensics.Ingest.Formats;

/// <summary>Where a record starts in its input: its 1-based ordinal, which is the line number in a text input and
/// the record number in a binary one (<see cref="IsLine"/> false), and the byte offset of its first byte in the plain
/// (decompressed) input.</summary>
public readonly record struct RecordPosition(long Ordinal, long ByteOffset, bool IsLine = true);

/// <summary>One input as a sequence of <see cref="RawRecord"/>s, whatever its encoding: the line-based text readers
/// (<see cref="TraceRecordReader"/>: ftrace, trace-cmd report, perf script, kernel logs, topology files) are one implementation; a
/// binary format (trace-cmd's trace.dat) plugs in beside them by producing the same records. The Events layer reads
/// every input through this.</summary>
public interface IRecordSource : IDisposable
{
    TraceFormat Format { get; }

    /// <summary>Reads the next record into <paramref name="record"/> (valid until the next call); false at the end.</summary>
    bool Read(ref RawRecord record);

    /// <summary>Where the record last read starts; ordinals only grow.</summary>
    RecordPosition Position { get; }

    /// <summary>Bytes of the plain input consumed so far.</summary>
    long BytesRead { get; }

    /// <summary>Why the input ended early (truncated compressed data), or null.</summary>
    string? ReadError { get; }
}

/// <summary>Opens the record source of an input by its format.</summary>
public static class RecordSources
{
    public static IRecordSource Open(Input.OpenedInput input, TraceFormat format, Input.InputLimits? limits = null, int inputs = 1)
    {
        if (format == TraceFormat.TraceDat) return new TraceDat.TraceDatRecordSource(input, typed: true);
        limits ??= Input.InputLimits.Default;
        return new TraceRecordReader(input, format, limits.MaxLineBytes, limits.LineBufferBytes(inputs));
    }
}
