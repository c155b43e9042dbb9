namespace TraceForensics.Ingest.Input;

/// <summary>Magic numbers at the start of a file: compressed containers, and binary trace files that must go
/// through their own tool before TraceForensics can read them.</summary>
public static class MagicBytes
{
    private static ReadOnlySpan<byte> Gzip => [0x1F, 0x8B];
    private static ReadOnlySpan<byte> Zstd => [0x28, 0xB5, 0x2F, 0xFD];
    private static ReadOnlySpan<byte> Xz => [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00];
    private static ReadOnlySpan<byte> PerfData => "PERFILE2"u8;
    private static ReadOnlySpan<byte> Elf => [0x7F, (byte)'E', (byte)'L', (byte)'F'];

    /// <summary>True for an ELF file: a core dump (createdump writes ELF cores on Linux) or a program.</summary>
    public static bool IsElf(ReadOnlySpan<byte> head) => head.StartsWith(Elf);

    public static Compression DetectCompression(ReadOnlySpan<byte> head) =>
        head.StartsWith(Gzip) ? Compression.Gzip
        : head.StartsWith(Zstd) ? Compression.Zstd
        : head.StartsWith(Xz) ? Compression.Xz
        : Compression.None;

    /// <summary>When the bytes are a known binary trace or dump that must be converted first, the message that
    /// says what it is and the way in; null otherwise.</summary>
    public static string? DescribeBinary(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith(PerfData))
            return "this is a binary perf.data file; convert it with `perf script -i FILE > FILE.txt` " +
                   "(add `-F comm,tid,cpu,time,event,trace` for tracepoints, keep callchains) and read that text";
        if (head.StartsWith(Elf))
            return "this is an ELF file (a core dump or a program), not a trace; a .NET process dump is read by `tracefx analyze DUMP` on its own";
        return null;
    }
}
