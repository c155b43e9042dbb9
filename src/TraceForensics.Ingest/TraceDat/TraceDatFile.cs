using System.Globalization;
using System.Text;

namespace TraceForensics.Ingest.TraceDat;

/// <summary>One CPU's ring-buffer pages in a trace.dat: where they are in the file and how many bytes.</summary>
public readonly record struct CpuData(int Cpu, long Offset, long Size);

/// <summary>A trace instance's flyrecord data (the top instance is named "").</summary>
public sealed record TraceDatBuffer(string Name, string Clock, int PageSize, IReadOnlyList<CpuData> Cpus, bool Compressed);

/// <summary>The metadata of a trace-cmd trace.dat, version 6 or 7 (trace-cmd's Documentation/trace-cmd/
/// trace-cmd.dat.v6.5.txt and trace-cmd.dat.v7.5.txt; libtracecmd lib/trace-cmd/trace-input.c reads the same): byte
/// order, long and page size, the ring-buffer page header, the event formats, kallsyms, saved cmdlines, options and
/// the per-CPU data of each buffer. Only the metadata is read (the CPUs' pages are read by the record source as it
/// reaches them); every offset and size is checked against the file's length.</summary>
public sealed class TraceDatFile
{
    public static ReadOnlySpan<byte> Magic => [0x17, 0x08, 0x44, (byte)'t', (byte)'r', (byte)'a', (byte)'c', (byte)'i', (byte)'n', (byte)'g'];

    internal TraceDatStorage Storage { get; }
    /// <summary>The file's length in bytes.</summary>
    public long Length => Storage.Length;
    /// <summary>The first bytes of the file, read in one piece: the whole metadata of a version-6 file, the header of a
    /// version-7 one (whose sections are read where their options say).</summary>
    private readonly byte[] _prefix;
    public int Version { get; private set; }
    public bool BigEndian { get; private set; }
    public int LongSize { get; private set; }
    public int PageSize { get; private set; }
    internal SectionCompression Compression { get; private set; } = new("none");
    public string CompressionName => Compression.Name;
    public Dictionary<int, EventFormat> Events { get; } = [];
    public Kallsyms Kallsyms { get; private set; } = Kallsyms.Empty;
    public Dictionary<int, string> Comms { get; } = [];
    public List<TraceDatBuffer> Buffers { get; } = [];
    /// <summary>Facts about the file worth saying once (instances not read, a latency trace...).</summary>
    public List<string> Notes { get; } = [];
    /// <summary>The ring-buffer page header (header_page): where the data starts and the size of the commit word.</summary>
    public int PageDataOffset { get; private set; } = 16;
    public int CommitSize { get; private set; } = 8;
    /// <summary>TSC2NSEC option (v7): multiplier, shift, offset; null when absent.</summary>
    public (uint Mult, int Shift, long Offset)? Tsc2Nsec { get; private set; }
    /// <summary>OFFSET option: nanoseconds added to every timestamp.</summary>
    public long TimeOffset { get; private set; }
    public int CpuCount { get; private set; }

    private TraceDatFile(TraceDatStorage storage, byte[] prefix) { Storage = storage; _prefix = prefix; }

    public static bool HasMagic(ReadOnlySpan<byte> head) => head.StartsWith(Magic);

    /// <summary>Reads the metadata; throws <see cref="TraceDatException"/> saying what is wrong and where.</summary>
    public static TraceDatFile Read(byte[] data) => Read(TraceDatStorage.InMemory(data));

    /// <summary>Reads the metadata from its first bytes on: a version-6 file's sections follow each other, so when the
    /// parse runs past the prefix read (<see cref="TraceDatPrefixEnded"/>), a longer one (twice as long, or to where the
    /// read ended and a first prefix's length on, for the sections after it) is read again. Any other error is the file's and said at once: a damaged header is not a reason to read
    /// the whole file (issue 16).</summary>
    internal static TraceDatFile Read(TraceDatStorage storage)
    {
        const int First = 1 << 20;
        int prefix = (int)Math.Min(storage.Length, First);
        while (true)
        {
            var f = new TraceDatFile(storage, storage.ReadArray(0, prefix));
            try
            {
                f.ReadInitial();
                return f;
            }
            catch (TraceDatPrefixEnded ended)
            {
                long want = Math.Min(storage.Length, Math.Max(2L * f._prefix.Length, ended.End + First));
                if (want > Array.MaxLength)
                    throw new TraceDatException($"the metadata runs past {f._prefix.Length} bytes; {want} bytes of it is not plausible");
                prefix = (int)want;
            }
        }
    }

    private TraceDatBytes At(long offset, string what)
    {
        if (offset > _prefix.Length && offset <= Length) throw new TraceDatPrefixEnded(offset);
        if (offset < 0 || offset > _prefix.Length) throw new TraceDatException($"{what}: offset {offset} is outside the {_prefix.Length}-byte file");
        var b = new TraceDatBytes(_prefix, BigEndian, what, fileLength: Length) { Position = (int)offset };
        return b;
    }

    /// <summary><paramref name="count"/> bytes at <paramref name="offset"/> of the file (fewer at its end).</summary>
    private ReadOnlySpan<byte> Bytes(long offset, long count, string what)
    {
        if (offset < 0 || offset > Length) throw new TraceDatException($"{what}: offset {offset} is outside the {Length}-byte file");
        count = Math.Min(count, Length - offset);
        if (offset + count <= _prefix.Length) return _prefix.AsSpan((int)offset, (int)count);
        if (count > Array.MaxLength) throw new TraceDatException($"{what}: {count} bytes at offset {offset} is not plausible");
        return Storage.ReadArray(offset, (int)count);
    }

    /// <summary>"INITIAL FORMAT": magic, version string, endianness, long size, page size; v7 adds the compression
    /// header and the offset of the first options section.</summary>
    private void ReadInitial()
    {
        if (!HasMagic(_prefix)) throw new TraceDatException("not a trace.dat: the magic 0x17 0x08 'D' \"tracing\" is missing");
        var b = At(Magic.Length, "file header");
        var version = b.CString();
        if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out int v) || v is not (6 or 7))
            throw new TraceDatException($"file header: trace.dat version \"{version}\"; versions 6 and 7 are read");
        Version = v;
        byte endian = b.U8();
        if (endian > 1) throw new TraceDatException($"file header: endianness byte {endian}, 0 or 1 expected");
        BigEndian = endian == 1;
        b = new TraceDatBytes(_prefix, BigEndian, "file header", fileLength: Length) { Position = b.Position };
        LongSize = b.U8();
        if (LongSize is not (4 or 8)) throw new TraceDatException($"file header: long size {LongSize}, 4 or 8 expected");
        PageSize = (int)b.U32();
        if (PageSize is < 64 or > 1 << 24) throw new TraceDatException($"file header: page size {PageSize} is not plausible");
        if (v == 6) ReadVersion6(ref b);
        else
        {
            var name = b.CString();
            b.CString(); // the compression library's version
            Compression = new SectionCompression(name);
            if (!Compression.IsNone && name is not ("zstd" or "zlib"))
                throw new TraceDatException($"file header: compression \"{name}\", which this reader does not know (zlib, zstd)");
            ReadVersion7(b.U64());
        }
        if (Buffers.Count == 0) throw new TraceDatException("the file holds no flyrecord trace data");
    }

    // ---------------------------------------------------------------- version 6 (trace-cmd.dat.v6.5.txt)

    /// <summary>Version 6: the sections follow each other in a fixed order: header page, header event, ftrace event
    /// formats, event formats, kallsyms, printk formats, saved cmdlines, CPU count, options, then "flyrecord" or
    /// "latency" data.</summary>
    private void ReadVersion6(ref TraceDatBytes b)
    {
        ReadHeaders(ref b);
        ReadFtraceFormats(ref b);
        ReadEventFormats(ref b);
        ReadKallsyms(ref b);
        ReadPrintk(ref b);
        ReadCmdlines(ref b);
        CpuCount = (int)b.U32();
        string label = Encoding.ASCII.GetString(b.Take(10));
        if (label.StartsWith("options", StringComparison.Ordinal))
        {
            // v6 options: u16 id (0 ends them), u32 size, data.
            while (true)
            {
                ushort id = b.U16();
                if (id == 0) break;
                int size = b.Size32();
                ReadOption(id, b.Take(size), version7: false);
            }
            label = Encoding.ASCII.GetString(b.Take(10));
        }
        if (label.StartsWith("latency", StringComparison.Ordinal))
            throw new TraceDatException("this trace.dat holds a latency trace (text), not flyrecord data; `trace-cmd report` reads it");
        if (!label.StartsWith("flyrecord", StringComparison.Ordinal))
            throw new TraceDatException($"offset {b.Position - 10}: \"flyrecord\" or \"options\" expected");
        var cpus = new List<CpuData>();
        for (int i = 0; i < CpuCount; i++)
            cpus.Add(new CpuData(i, (long)b.U64(), (long)b.U64()));
        Buffers.Insert(0, new TraceDatBuffer("", "", PageSize, cpus, Compressed: false));
    }

    // ---------------------------------------------------------------- version 7 (trace-cmd.dat.v7.5.txt)

    /// <summary>Version 7: options sections chained by their DONE option; the other sections are found through the
    /// options that give their offsets. A section header: u16 id, u16 flags (1: compressed), u32 string id, u64 size
    /// (the document says 4 bytes for the size; trace-input.c <c>read_section_header</c> and the files written by
    /// trace-cmd 3.1 have 8).</summary>
    private void ReadVersion7(ulong optionsOffset)
    {
        var seen = new HashSet<ulong>();
        var sections = new List<(ushort Option, long Offset)>();
        while (optionsOffset != 0)
        {
            if (!seen.Add(optionsOffset)) throw new TraceDatException($"options section at {optionsOffset} is chained twice (a loop)");
            var body = Section((long)optionsOffset, 0, "options section");
            var o = new TraceDatBytes(body, BigEndian, $"options section at {optionsOffset}");
            optionsOffset = 0;
            while (!o.AtEnd)
            {
                ushort id = o.U16();
                int size = o.Size32();
                var data = o.Take(size);
                if (id == 0) // DONE: the offset of the next options section, 0 for none
                {
                    optionsOffset = new TraceDatBytes(data, BigEndian, "DONE option").U64();
                    break;
                }
                if (id is >= 16 and <= 21) sections.Add((id, (long)new TraceDatBytes(data, BigEndian, "section option").U64()));
                else ReadOption(id, data, version7: true);
            }
        }
        // The sections in their version-6 order, each from its option.
        foreach (var id in new ushort[] { 16, 17, 18, 19, 20, 21 })
            foreach (var (option, offset) in sections)
            {
                if (option != id) continue;
                var body = Section(offset, id, SectionName(id));
                var s = new TraceDatBytes(body, BigEndian, SectionName(id));
                switch (id)
                {
                    case 16: ReadHeaders(ref s); break;
                    case 17: ReadFtraceFormats(ref s); break;
                    case 18: ReadEventFormats(ref s); break;
                    case 19: ReadKallsyms(ref s); break;
                    case 20: ReadPrintk(ref s); break;
                    case 21: ReadCmdlines(ref s); break;
                }
            }
    }

    private static string SectionName(ushort id) => id switch
    {
        16 => "header info section", 17 => "ftrace event formats section", 18 => "event formats section",
        19 => "kallsyms section", 20 => "printk section", 21 => "saved cmdlines section", _ => $"section {id}",
    };

    /// <summary>A section's body, decompressed when its flags say so (compressed: u32 compressed size, u32 size, data).</summary>
    private byte[] Section(long offset, ushort expectedId, string what)
    {
        var h = new TraceDatBytes(Bytes(offset, 16, what), BigEndian, what, offset);
        ushort id = h.U16();
        ushort flags = h.U16();
        h.U32(); // string id of the description
        ulong declared = h.U64();
        if (id != expectedId) throw new TraceDatException($"{what} at offset {offset}: section id {id}, {expectedId} expected");
        if (declared > (ulong)(Length - offset - 16))
            throw new TraceDatException($"{what}: a size of {declared} bytes at offset {offset + 16} runs past the end ({Length - offset - 16} left)");
        var body = Bytes(offset + 16, (long)declared, what);
        if ((flags & 1) == 0) return body.ToArray();
        var c = new TraceDatBytes(body, BigEndian, what, offset + 16);
        int compressed = c.Size32();
        int plain = (int)c.U32();
        if (plain < 0 || plain > 1 << 30) throw new TraceDatException($"{what} at offset {offset}: uncompressed size {plain} is not plausible");
        return Compression.Decompress(c.Take(compressed), plain, $"{what} at offset {offset}");
    }

    // ---------------------------------------------------------------- the sections both versions share

    /// <summary>"header_page\0", u64 size, the ring buffer's page header format; "header_event\0", u64 size, text.</summary>
    private void ReadHeaders(ref TraceDatBytes b)
    {
        if (b.CString() != "header_page") throw new TraceDatException("\"header_page\" expected");
        var page = Encoding.Latin1.GetString(b.Take(b.Size64()));
        if (EventFormat.Parse("header", "name: header_page\nID: 0\n" + page) is { } header)
        {
            if (header.Field("data") is { } data) PageDataOffset = data.Offset;
            if (header.Field("commit") is { } commit) CommitSize = commit.Size;
        }
        if (b.CString() != "header_event") throw new TraceDatException("\"header_event\" expected");
        b.Take(b.Size64()); // the event header layout is the kernel's fixed one (type_len 5 bits, time_delta 27 bits)
    }

    /// <summary>u32 count, then each ftrace event's format: u64 size, text.</summary>
    private void ReadFtraceFormats(ref TraceDatBytes b)
    {
        uint count = b.U32();
        for (uint i = 0; i < count; i++) AddFormat("ftrace", b.Take(b.Size64()));
    }

    /// <summary>u32 systems; each: system name, u32 count, then each event: u64 size, format text.</summary>
    private void ReadEventFormats(ref TraceDatBytes b)
    {
        uint systems = b.U32();
        for (uint s = 0; s < systems; s++)
        {
            var system = b.CString();
            uint count = b.U32();
            for (uint i = 0; i < count; i++) AddFormat(system, b.Take(b.Size64()));
        }
    }

    private void AddFormat(string system, ReadOnlySpan<byte> text)
    {
        if (EventFormat.Parse(system, Encoding.Latin1.GetString(text)) is { } e) Events[e.Id] = e;
    }

    private void ReadKallsyms(ref TraceDatBytes b) => Kallsyms = Kallsyms.Parse(b.Take(b.Size32()));

    private static void ReadPrintk(ref TraceDatBytes b) => b.Take(b.Size32()); // trace_printk formats: bprint events are not read yet

    private void ReadCmdlines(ref TraceDatBytes b) => AddCmdlines(Encoding.Latin1.GetString(b.Take(b.Size64())));

    /// <summary>Takes in the text of tracefs's saved_cmdlines (lines of "PID COMM", kernel/trace/trace_sched_switch.c
    /// saved_cmdlines_show): the file's section, or a live watch's fresh read of it (a task that started after the
    /// watch began has its comm saved by the kernel once it is traced).</summary>
    public void AddCmdlines(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            int sp = line.IndexOf(' ');
            if (sp > 0 && int.TryParse(line.AsSpan(0, sp), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                Comms[pid] = line[(sp + 1)..];
        }
    }

    /// <summary>The options this reader uses (trace-cmd.dat.v7.5 "OPTIONS SECTION"); the rest are skipped.</summary>
    private void ReadOption(ushort id, ReadOnlySpan<byte> data, bool version7)
    {
        var o = new TraceDatBytes(data, BigEndian, $"option {id}");
        switch (id)
        {
            case 3: // BUFFER
            {
                long offset = (long)o.U64();
                string name = o.CString();
                if (!version7)
                {
                    Notes.Add($"the instance \"{name}\" is not read (only the top instance of a version-6 file)");
                    break;
                }
                string clock = o.CString();
                // trace-input.c handle_options, TRACECMD_OPTION_BUFFER: page size, CPU count, per CPU id, offset, size.
                int pageSize = (int)o.U32();
                uint count = o.U32();
                var cpus = new List<CpuData>();
                for (uint i = 0; i < count; i++) cpus.Add(new CpuData((int)o.U32(), (long)o.U64(), (long)o.U64()));
                // The flyrecord section header before the data says whether its pages are compressed.
                bool compressed = false;
                if (offset > 0 && offset + 4 <= Length)
                {
                    var h = new TraceDatBytes(Bytes(offset, 4, "buffer section"), BigEndian, "buffer section", offset);
                    h.U16();
                    compressed = (h.U16() & 1) != 0;
                }
                if (name.Length == 0) Buffers.Insert(0, new TraceDatBuffer(name, clock, pageSize, cpus, compressed));
                else Notes.Add($"the instance \"{name}\" is not read (only the top instance)");
                break;
            }
            case 7: // OFFSET: a decimal added to every timestamp
            {
                var s = Encoding.ASCII.GetString(data).TrimEnd('\0');
                if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long off)) TimeOffset = off;
                break;
            }
            case 8: // CPUCOUNT
                CpuCount = (int)o.U32();
                break;
            case 14: // TSC2NSEC: u32 multiplier, u32 shift, u64 offset
                Tsc2Nsec = (o.U32(), (int)o.U32(), (long)o.U64());
                break;
            case 22: // BUFFER_TEXT: a latency trace
                Notes.Add("a latency (text) buffer is not read");
                break;
        }
    }
}
