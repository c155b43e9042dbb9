using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using ZstdSharp;

namespace TraceForensics.Capture;

/// <summary>Writes a trace-cmd trace.dat version 7 (trace-cmd's Documentation/trace-cmd/trace-cmd.dat.v7.5.txt, as
/// trace-cmd 3.1 writes it and <c>TraceForensics.Ingest.TraceDat.TraceDatFile</c> reads it) from a recording: the
/// initial format (magic, "7", little-endian, long size 8, page size, compression name and version, offset of the
/// options section), then the sections, each a header (u16 id, u16 flags: 1 compressed, u32 string id, u64 size) and
/// a body: header info (16: "header_page", u64 size, text; "header_event", u64 size, text), ftrace event formats (17:
/// u32 count, per event u64 size and text), event formats (18: u32 systems; per system its name, u32 count, per event
/// u64 size and text), kallsyms (19: u32 size, text), printk formats (20: u32 size, text), saved cmdlines (21: u64
/// size, text); the flyrecord buffer (3: each CPU's pages, page-aligned; compressed: u32 chunk count, per chunk u32
/// compressed size, u32 size, zstd frame); one options section (0) naming every section's offset, the BUFFER option
/// (u64 offset of the buffer section, name "", clock, u32 page size, u32 CPUs, per CPU u32 id, u64 offset, u64 size),
/// TRACECLOCK, UNAME, VERSION, CPUSTAT per CPU, CPUCOUNT and DONE (u64 0: no further options section); then the strings
/// section (15) holding the sections' names. Everything is laid out before it is written, so the stream need not seek
/// (a FIFO or a device takes it as well as a file).</summary>
public sealed class TraceDatWriter
{
    private const ushort OptDone = 0, OptCpuStat = 2, OptBuffer = 3, OptTraceClock = 4, OptUname = 5, OptVersion = 9, OptCpuCount = 8;
    private const ushort SecOptions = 0, SecStrings = 15, SecHeaders = 16, SecFtrace = 17, SecEvents = 18, SecKallsyms = 19, SecPrintk = 20, SecCmdlines = 21;
    /// <summary>Pages per compressed chunk (trace-cmd writes 10: 40 KiB of 4 KiB pages).</summary>
    private const int PagesPerChunk = 10;

    private readonly List<(ushort Id, byte[] Body)> _sections = new();
    private readonly List<(int Cpu, string PageFile, string Stats)> _cpus = new();
    private readonly MemoryStream _strings = new();

    public TraceDatWriter(int pageSize, bool zstd)
    {
        PageSize = pageSize;
        Zstd = zstd;
    }

    public int PageSize { get; }
    public bool Zstd { get; }
    public string Clock { get; set; } = "local";
    public string TraceClockOption { get; set; } = "";
    public string Uname { get; set; } = "";

    /// <summary>The metadata of tracefs: header_page, header_event, the ftrace formats, the formats of
    /// <paramref name="events"/> ("system/event" paths), kallsyms, printk formats, saved cmdlines.</summary>
    public void AddMetadata(string tracefsRoot, IEnumerable<string> events, string kallsymsPath = "/proc/kallsyms")
    {
        var h = new MemoryStream();
        foreach (var name in new[] { "header_page", "header_event" })
        {
            var text = ReadOrEmpty(Path.Combine(tracefsRoot, "events", name));
            h.Write(Encoding.ASCII.GetBytes(name + "\0"));
            U64(h, (ulong)text.Length);
            h.Write(text);
        }
        _sections.Add((SecHeaders, h.ToArray()));

        var ftraceDir = Path.Combine(tracefsRoot, "events", "ftrace");
        var ftrace = Directory.Exists(ftraceDir)
            ? Directory.GetDirectories(ftraceDir).Order(StringComparer.Ordinal).Select(d => Path.Combine(d, "format")).Where(File.Exists).ToList()
            : [];
        var f = new MemoryStream();
        U32(f, (uint)ftrace.Count);
        foreach (var file in ftrace) Sized64(f, ReadOrEmpty(file));
        _sections.Add((SecFtrace, f.ToArray()));

        var bySystem = events.Where(e => e.Contains('/')).Distinct(StringComparer.Ordinal)
            .Select(e => (System: e[..e.IndexOf('/')], Event: e[(e.IndexOf('/') + 1)..]))
            .Where(e => e.System != "ftrace" && File.Exists(Path.Combine(tracefsRoot, "events", e.System, e.Event, "format")))
            .GroupBy(e => e.System, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var ev = new MemoryStream();
        U32(ev, (uint)bySystem.Count);
        foreach (var system in bySystem)
        {
            ev.Write(Encoding.ASCII.GetBytes(system.Key + "\0"));
            var list = system.OrderBy(e => e.Event, StringComparer.Ordinal).ToList();
            U32(ev, (uint)list.Count);
            foreach (var e in list) Sized64(ev, ReadOrEmpty(Path.Combine(tracefsRoot, "events", e.System, e.Event, "format")));
        }
        _sections.Add((SecEvents, ev.ToArray()));

        var kallsyms = new MemoryStream();
        Sized32(kallsyms, ReadOrEmpty(kallsymsPath));
        _sections.Add((SecKallsyms, kallsyms.ToArray()));
        var printk = new MemoryStream();
        Sized32(printk, ReadOrEmpty(Path.Combine(tracefsRoot, "printk_formats")));
        _sections.Add((SecPrintk, printk.ToArray()));
        var cmdlines = new MemoryStream();
        Sized64(cmdlines, ReadOrEmpty(Path.Combine(tracefsRoot, "saved_cmdlines")));
        _sections.Add((SecCmdlines, cmdlines.ToArray()));
    }

    /// <summary>A CPU's page file and its per_cpu stats text (the CPUSTAT option).</summary>
    public void AddCpu(int cpu, string pageFile, string stats) => _cpus.Add((cpu, pageFile, stats));

    /// <summary>Writes the file. <paramref name="scratch"/> is a directory for the compressed CPU data (zstd).</summary>
    public void Write(Stream output, string scratch) => Write(output, scratch, withPages: true);

    /// <summary>The file without its CPU data (a BUFFER option of no CPUs): the metadata a reader needs to render the
    /// page files' events itself, page by page.</summary>
    public byte[] Metadata()
    {
        var m = new MemoryStream();
        Write(m, "", withPages: false);
        return m.ToArray();
    }

    private void Write(Stream output, string scratch, bool withPages)
    {
        _strings.SetLength(0); // each file names its own sections
        // CPU data: the page file as is, or its chunks compressed into a scratch file first (to know the sizes).
        var data = new List<(int Cpu, string File, long Length, long OptionSize, string Stats)>();
        foreach (var (cpu, pageFile, stats) in withPages ? _cpus : [])
        {
            long length = new FileInfo(pageFile).Length;
            if (!Zstd) { data.Add((cpu, pageFile, length, length, stats)); continue; }
            var chunks = Path.Combine(scratch, $"cpu{cpu.ToString(CultureInfo.InvariantCulture)}.zst");
            long written = CompressChunks(pageFile, chunks);
            // trace-cmd 3.1: the BUFFER option's size does not count the u32 chunk count before the chunks.
            data.Add((cpu, chunks, written, written - 4, stats));
        }

        // Section bodies as written (compressed: u32 compressed size, u32 size, one zstd frame).
        var bodies = _sections.Select(s => (s.Id, Flags: (ushort)(Zstd ? 1 : 0), Body: Zstd ? CompressSection(s.Body) : s.Body, Name: StringId(SectionName(s.Id)))).ToList();
        uint bufferName = StringId("buffer flyrecord");
        uint optionsName = StringId("options");
        uint stringsName = StringId("strings");

        // Layout.
        var compression = Encoding.ASCII.GetBytes(Zstd ? "zstd\0" + ZstdVersion + "\0" : "none\0\0");
        long at = 10 + 2 + 1 + 1 + 4 + compression.Length + 8;
        var sectionOffsets = new List<(ushort Id, long Offset)>();
        foreach (var b in bodies)
        {
            sectionOffsets.Add((b.Id, at));
            at += 16 + b.Body.Length;
        }
        long bufferSection = at;
        at += 16;
        var cpuOffsets = new List<long>();
        foreach (var d in data)
        {
            at = Align(at, PageSize);
            cpuOffsets.Add(at);
            at += d.Length;
        }
        long bufferEnd = at;
        long optionsSection = bufferEnd;

        var options = new MemoryStream();
        foreach (var (id, offset) in sectionOffsets) Option(options, id, Le64((ulong)offset));
        var buffer = new MemoryStream();
        U64(buffer, (ulong)bufferSection);
        buffer.Write(Encoding.ASCII.GetBytes("\0" + Clock + "\0"));
        U32(buffer, (uint)PageSize);
        U32(buffer, (uint)data.Count);
        for (int i = 0; i < data.Count; i++)
        {
            U32(buffer, (uint)data[i].Cpu);
            U64(buffer, (ulong)cpuOffsets[i]);
            U64(buffer, (ulong)data[i].OptionSize);
        }
        Option(options, OptBuffer, buffer.ToArray());
        if (TraceClockOption.Length > 0) Option(options, OptTraceClock, Encoding.ASCII.GetBytes(TraceClockOption));
        if (Uname.Length > 0) Option(options, OptUname, Encoding.ASCII.GetBytes(Uname + "\0"));
        Option(options, OptVersion, Encoding.ASCII.GetBytes("tracefx\0"));
        foreach (var d in data) Option(options, OptCpuStat, Encoding.ASCII.GetBytes(d.Stats + "\0"));
        Option(options, OptCpuCount, Le32((uint)data.Count));
        Option(options, OptDone, Le64(0));
        var optionsBody = options.ToArray();
        var strings = _strings.ToArray();

        // Writing, in layout order.
        var w = new BufferedStream(output, 1 << 20);
        long pos = 0;
        void Put(ReadOnlySpan<byte> bytes) { w.Write(bytes); pos += bytes.Length; }
        Put([0x17, 0x08, 0x44, (byte)'t', (byte)'r', (byte)'a', (byte)'c', (byte)'i', (byte)'n', (byte)'g']);
        Put("7\0"u8);
        Put([0, 8]); // little-endian, long size 8
        Put(Le32((uint)PageSize));
        Put(compression);
        Put(Le64((ulong)optionsSection));
        foreach (var b in bodies) { Put(SectionHeader(b.Id, b.Flags, b.Name, b.Body.Length)); Put(b.Body); }
        Put(SectionHeader(OptBuffer, (ushort)(Zstd ? 1 : 0), bufferName, bufferEnd - bufferSection - 16));
        var copy = new byte[1 << 16];
        for (int i = 0; i < data.Count; i++)
        {
            Put(new byte[cpuOffsets[i] - pos]);
            using var src = new FileStream(data[i].File, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            long left = data[i].Length;
            while (left > 0)
            {
                int n = src.Read(copy, 0, (int)Math.Min(copy.Length, left));
                if (n == 0) throw new IOException($"{data[i].File} ended early");
                Put(copy.AsSpan(0, n));
                left -= n;
            }
        }
        Put(SectionHeader(SecOptions, 0, optionsName, optionsBody.Length));
        Put(optionsBody);
        Put(SectionHeader(SecStrings, 0, stringsName, strings.Length));
        Put(strings);
        w.Flush();
    }

    private static string ZstdVersion => "1.5.7";

    private static long Align(long at, int to) => (at + to - 1) / to * to;

    private uint StringId(string s)
    {
        uint id = (uint)_strings.Length;
        _strings.Write(Encoding.ASCII.GetBytes(s + "\0"));
        return id;
    }

    private static string SectionName(ushort id) => id switch
    {
        SecHeaders => "headers", SecFtrace => "ftrace events", SecEvents => "events format", SecKallsyms => "kallsyms",
        SecPrintk => "printk", SecCmdlines => "command lines", _ => "section",
    };

    private static byte[] SectionHeader(ushort id, ushort flags, uint name, long size)
    {
        var h = new byte[16];
        BinaryPrimitives.WriteUInt16LittleEndian(h, id);
        BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(2), flags);
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(4), name);
        BinaryPrimitives.WriteUInt64LittleEndian(h.AsSpan(8), (ulong)size);
        return h;
    }

    private static byte[] CompressSection(byte[] body)
    {
        using var z = new Compressor(3);
        var c = z.Wrap(body);
        var r = new byte[8 + c.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(r, (uint)c.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(4), (uint)body.Length);
        c.CopyTo(r.AsSpan(8));
        return r;
    }

    /// <summary>u32 chunk count, then per chunk of <see cref="PagesPerChunk"/> pages: u32 compressed size, u32 size,
    /// a zstd frame. The bytes written.</summary>
    private long CompressChunks(string pageFile, string output)
    {
        using var z = new Compressor(3);
        using var src = new FileStream(pageFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var dst = new FileStream(output, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        var chunk = new byte[PageSize * PagesPerChunk];
        dst.Write(new byte[4]);
        uint count = 0;
        while (true)
        {
            int n = src.ReadAtLeast(chunk, chunk.Length, throwOnEndOfStream: false);
            if (n == 0) break;
            var c = z.Wrap(chunk.AsSpan(0, n));
            dst.Write(Le32((uint)c.Length));
            dst.Write(Le32((uint)n));
            dst.Write(c);
            count++;
            if (n < chunk.Length) break;
        }
        dst.Position = 0;
        dst.Write(Le32(count));
        return dst.Length;
    }

    private static void Option(Stream s, ushort id, byte[] data)
    {
        var h = new byte[6];
        BinaryPrimitives.WriteUInt16LittleEndian(h, id);
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(2), (uint)data.Length);
        s.Write(h);
        s.Write(data);
    }

    private static byte[] ReadOrEmpty(string path)
    {
        try { return File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    private static byte[] Le32(uint v) { var b = new byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); return b; }
    private static byte[] Le64(ulong v) { var b = new byte[8]; BinaryPrimitives.WriteUInt64LittleEndian(b, v); return b; }
    private static void U32(Stream s, uint v) => s.Write(Le32(v));
    private static void U64(Stream s, ulong v) => s.Write(Le64(v));
    private static void Sized64(Stream s, byte[] text) { U64(s, (ulong)text.Length); s.Write(text); }
    private static void Sized32(Stream s, byte[] text) { U32(s, (uint)text.Length); s.Write(text); }
}
