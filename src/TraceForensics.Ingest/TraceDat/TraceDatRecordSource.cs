using System.Text;
using TraceForensics.Ingest.Formats;
using TraceForensics.Ingest.Input;

namespace TraceForensics.Ingest.TraceDat;

/// <summary>A trace.dat as records (<see cref="IRecordSource"/>): the per-CPU ring-buffer pages merged by timestamp
/// (the oldest event first, on a tie the lower CPU, as libtracecmd's <c>tracecmd_read_next_data</c> does), each event
/// rendered as <c>trace-cmd report</c> prints it without plugins: the task's comm from the saved cmdlines, the
/// payload from the event's own print format over its fields (<see cref="PrintFormat"/>). An ftrace
/// <c>kernel_stack</c> event becomes a stack block whose frames are its callers resolved through the file's kallsyms;
/// lost-event marks become <see cref="RecordKind.LostEvents"/>. A record's ordinal counts the records; its byte offset
/// is the event's offset in the file (in the CPU's decompressed data for a compressed file). Bad metadata ends the
/// input with <see cref="ReadError"/>; a bad page is reported as an unrecognized record and skipped.</summary>
public sealed class TraceDatRecordSource : IRecordSource
{
    private readonly OpenedInput? _input;
    private readonly TraceDatFile? _file;
    private readonly List<RingBufferCpu> _cpus = [];
    private readonly PayloadBuffer _payload = new();
    private readonly TraceDatEvent? _event; // typed reading: the record handed on as bytes
    private readonly Dictionary<ulong, byte[]> _frameNames = [];
    private readonly Dictionary<int, byte[]> _comms = [];
    private EventDecoding?[] _decodings = []; // by event type id, made on the type's first record
    private readonly List<ulong> _frames = [];
    private int _frameAt;
    private RingBufferCpu? _pending; // an event to hand on after its lost-events mark
    private RingBufferCpu? _advance; // the CPU whose event was handed on last
    private bool _started;
    private long _ordinal;
    private long _offset;
    private (int Cpu, int Page, int Offset) _where;
    private int _frameCpu, _framePid;
    private readonly bool _tsc;
    private readonly long _metadataBytes;
    private readonly Queue<string> _notes = new();

    /// <summary>A trace.dat read from <paramref name="input"/>. <paramref name="typed"/>: an event's record is handed on as
    /// its bytes and format (<see cref="RawRecord.Binary"/>), its payload text rendered only when asked for; else every
    /// payload is rendered (<see cref="RawRecord.Payload"/>), for those who print the records.</summary>
    public TraceDatRecordSource(OpenedInput input, bool typed = false)
    {
        _input = input;
        TraceDatStorage storage;
        try { storage = _storage = OpenStorage(input); }
        catch (IOException ex) { ReadError = ex.Message; return; }
        try
        {
            _file = TraceDatFile.Read(storage);
            var buffer = _file.Buffers[0];
            _tsc = buffer.Clock == "x86-tsc" && _file.Tsc2Nsec is not null;
            foreach (var note in _file.Notes) _notes.Enqueue(note);
            if (typed) _event = new TraceDatEvent(_file);
            OpenCpus(_file, buffer);
            _metadataBytes = buffer.Cpus.Count > 0 ? buffer.Cpus.Min(c => c.Offset) : storage.Length;
        }
        catch (TraceDatException ex)
        {
            ReadError = ex.Message;
            _file = null;
            _cpus.Clear();
            HashTheRest();
        }
    }

    private readonly TraceDatStorage? _storage;

    /// <summary>True when the input is held in memory whole (a short one that cannot be read at offsets).</summary>
    internal bool HeldInMemory => _storage?.HeldInMemory == true;

    /// <summary>A plain file is read at offsets through a handle of its own, its bytes hashed as they are read (when the
    /// input is hashed); any other input (a pipe, a compressed trace.dat) is spilled (<see cref="TraceDatStorage.Spill"/>).</summary>
    private static TraceDatStorage OpenStorage(OpenedInput input)
    {
        if (input.Compression == Input.Compression.None && input.Path is { } path && TraceDatStorage.OpenFile(path, input.Hashing) is { } file)
            return file;
        return TraceDatStorage.Spill(input.Stream);
    }

    /// <summary>An input whose bytes are hashed (the reports print its SHA-256) is hashed to its end once the records are
    /// read: a plain file's bytes not hashed as the pages were read (<see cref="TraceDatStorage.HashTheRest"/>), another
    /// input's stream read on to its end.</summary>
    private void HashTheRest()
    {
        if (_hashed || _input is not { Hashes: true } input) return;
        _hashed = true;
        try
        {
            if (_storage?.HashTheRest() != true) input.Stream.CopyTo(Stream.Null, 1 << 20);
        }
        catch (IOException) { } // the hash is then missing, as for an input not read to its end
    }

    private bool _hashed;

    /// <summary>A recording's events read without holding its pages: the metadata of a trace.dat (<paramref name="metadata"/>,
    /// its CPU data left out) and each CPU's ring-buffer pages streamed from <paramref name="cpus"/>, one page per CPU in
    /// memory at a time, merged by timestamp as for a whole file. The streams are the caller's to close.</summary>
    public static TraceDatRecordSource ForPages(byte[] metadata, IReadOnlyList<(int Cpu, Stream Pages)> cpus) => new(metadata, null, cpus);

    /// <summary>As <see cref="ForPages(byte[], IReadOnlyList{ValueTuple{int, Stream}})"/> with the metadata already read
    /// (<see cref="TraceDatFile.Read"/>): a live reading (<c>tracefx watch</c>) decodes each batch of pages against the
    /// same formats and kallsyms without reading them again. The file's notes were said by the first reading.</summary>
    public static TraceDatRecordSource ForPages(TraceDatFile metadata, IReadOnlyList<(int Cpu, Stream Pages)> cpus) => new([], metadata, cpus);

    private TraceDatRecordSource(byte[] metadata, TraceDatFile? read, IReadOnlyList<(int Cpu, Stream Pages)> cpus)
    {
        try
        {
            _file = read ?? TraceDatFile.Read(metadata);
            var buffer = _file.Buffers[0];
            _tsc = buffer.Clock == "x86-tsc" && _file.Tsc2Nsec is not null;
            if (read is null) foreach (var note in _file.Notes) _notes.Enqueue(note);
            foreach (var (cpu, pages) in cpus) _cpus.Add(new RingBufferCpu(cpu, pages, _file, buffer.PageSize));
            _metadataBytes = metadata.Length;
            _streamed = true;
        }
        catch (TraceDatException ex)
        {
            ReadError = ex.Message;
            _file = null;
            _cpus.Clear();
        }
    }

    public TraceFormat Format => TraceFormat.TraceDat;
    public RecordPosition Position => new(_ordinal, _offset, IsLine: false);
    public long BytesRead => _file is null ? 0 : _streamed ? _metadataBytes + _cpus.Sum(c => c.Consumed) : Math.Min(_file.Length, _metadataBytes + _cpus.Sum(c => c.Consumed));
    private readonly bool _streamed;
    /// <summary>Why the input ended early: the decompression's error first (a gzip'd trace.dat is spilled, read to its end
    /// before its records are; a damaged gzip trailer, RFC 1952 section 2.3.1, then says nothing in the records), else
    /// the trace.dat's own.</summary>
    public string? ReadError
    {
        get => _input?.ReadError ?? _readError;
        private set => _readError = value;
    }

    private string? _readError;
    /// <summary>The file's metadata once read (null when it could not be).</summary>
    public TraceDatFile? File => _file;

    /// <summary>The record last read as <c>trace-cmd report</c> prints it (<c>comm-pid [cpu] seconds: name: payload</c>)
    /// and where it is in the ring buffer (<c>cpu N page P offset O</c>: the page of that CPU's data, the byte in the
    /// page): the evidence text of a binary input.</summary>
    public string Describe(ref RawRecord r)
    {
        string where = $"[cpu {_where.Cpu} page {_where.Page} offset {_where.Offset}]";
        return r.Kind is RecordKind.Event or RecordKind.StackStart ? $"{ReportLine(ref r)} {where}" : ReportLine(ref r);
    }

    /// <summary>The record as <c>trace-cmd report</c> prints it (<c>comm-pid [cpu] seconds: name: payload</c>, a stack
    /// frame <c>=&gt; name</c>, <c>CPU:N [n EVENTS DROPPED]</c>); a problem's text for the other kinds.</summary>
    public static string ReportLine(ref RawRecord r)
    {
        string Text(ReadOnlySpan<byte> s) => Encoding.Latin1.GetString(s);
        string time = $"{r.TimestampNs / 1_000_000_000}.{r.TimestampNs % 1_000_000_000:000000000}";
        return r.Kind switch
        {
            RecordKind.Event => $"{Text(r.Comm)}-{r.Pid} [{r.Cpu:000}] {time}: {Text(r.Event)}: {Text(r.Payload)}",
            RecordKind.StackStart => $"{Text(r.Comm)}-{r.Pid} [{r.Cpu:000}] {time}: {Text(r.Event)}: <stack trace >",
            RecordKind.StackFrame => $"=> {Text(r.Frame)}",
            RecordKind.LostEvents => r.Count < 0 ? $"CPU:{r.Cpu} [EVENTS DROPPED]" : $"CPU:{r.Cpu} [{r.Count} EVENTS DROPPED]",
            _ => r.Problem ?? "",
        };
    }

    /// <summary>Each CPU's pages (<see cref="OpenCpu"/>), their notes and first error in CPU order.</summary>
    private void OpenCpus(TraceDatFile file, TraceDatBuffer buffer)
    {
        foreach (var cpu in buffer.Cpus)
        {
            var notes = new List<string>();
            _cpus.Add(OpenCpu(file, buffer, cpu, notes, out var error));
            foreach (var note in notes) _notes.Enqueue(note);
            _readError ??= error;
        }
    }

    /// <summary>A CPU's pages, read from the file as the reading reaches them: a slice of the file, or (compressed,
    /// trace-cmd.dat.v7.5 "COMPRESSION FORMAT OF THE TRACE DATA") chunks decompressed in turn (<see cref="CompressedPages"/>).</summary>
    private static RingBufferCpu OpenCpu(TraceDatFile file, TraceDatBuffer buffer, CpuData cpu, List<string> notes, out string? error)
    {
        error = null;
        long length = file.Length;
        if (cpu.Offset < 0 || cpu.Offset > length)
            throw new TraceDatException($"cpu {cpu.Cpu}: data offset {cpu.Offset} is outside the {length}-byte file");
        long size = cpu.Size;
        if (cpu.Offset + size > length)
        {
            notes.Add($"cpu {cpu.Cpu}: the file ends {cpu.Offset + size - length} bytes into its data; the pages before that point are read");
            error ??= $"the trace.dat is cut off in the data of cpu {cpu.Cpu}";
            size = length - cpu.Offset;
        }
        if (!buffer.Compressed)
            return new RingBufferCpu(cpu.Cpu, CpuPages.Stored(file.Storage, cpu.Offset, size, buffer.PageSize), file, buffer.PageSize, cpu.Offset);
        // The size in the BUFFER option does not count the u32 chunk count before the chunks (files of trace-cmd 3.1).
        long compressedSize = Math.Min(size + 4, length - cpu.Offset);
        var pages = new CompressedPages(file.Storage, file.Compression, cpu.Cpu, cpu.Offset, compressedSize, buffer.PageSize, file.BigEndian);
        return new RingBufferCpu(cpu.Cpu, pages, file, buffer.PageSize, cpu.Offset);
    }

    public bool Read(ref RawRecord record)
    {
        record.Reset();
        if (_file is null) return false;
        if (!_started)
        {
            _started = true;
            foreach (var c in _cpus) c.Advance();
        }
        // The CPU of the event handed on last moves on only now: its page stayed valid while the event was read.
        _advance?.Advance();
        _advance = null;
        _ordinal++;
        if (_notes.TryDequeue(out var note))
        {
            record.Kind = RecordKind.Skipped;
            record.Problem = note;
            return true;
        }
        if (_frameAt < _frames.Count)
        {
            record.Kind = RecordKind.StackFrame;
            record.Cpu = _frameCpu;
            record.Pid = _framePid;
            record.Frame = FrameName(_frames[_frameAt++]);
            return true;
        }
        foreach (var c in _cpus)
        {
            if (c.TakeFailure() is not { } failure) continue;
            _readError ??= failure;
            record.Kind = RecordKind.Skipped;
            record.Problem = failure + "; the pages before it are read";
            return true;
        }
        foreach (var c in _cpus)
        {
            if (c.Problem is null) continue;
            record.Kind = RecordKind.Unrecognized;
            record.Problem = c.Problem;
            c.Problem = null;
            return true;
        }
        var cpu = _pending;
        _pending = null;
        if (cpu is null)
        {
            foreach (var c in _cpus)
                if (c.HasEvent && (cpu is null || c.Timestamp < cpu.Timestamp)) cpu = c;
            if (cpu is null) { _ordinal--; HashTheRest(); return false; }
            if (cpu.LostBefore != 0)
            {
                // trace-cmd report: "CPU:N [n EVENTS DROPPED]" before the first event of the page after the loss;
                // -1 when the page did not keep the count.
                record.Kind = RecordKind.LostEvents;
                record.Cpu = cpu.Cpu;
                record.Count = cpu.LostBefore;
                _pending = cpu;
                return true;
            }
        }
        Render(cpu, ref record);
        _advance = cpu;
        return true;
    }

    private void Render(RingBufferCpu cpu, ref RawRecord record)
    {
        var file = _file!;
        var data = cpu.EventLength > 0 ? EventBytes(cpu) : default;
        _offset = cpu.FileOffset;
        _where = (cpu.Cpu, cpu.Page, cpu.OffsetInPage);
        var c = new PrintContext(data, file.BigEndian, file.LongSize);
        int type = (int)c.ReadNumber(0, 2, false);
        record.Cpu = cpu.Cpu;
        record.TimestampNs = Time(cpu.Timestamp);
        var decoding = Decoding(type);
        if (decoding is null)
        {
            record.Kind = RecordKind.Unrecognized;
            record.Problem = $"cpu {cpu.Cpu} page {cpu.Page} offset {cpu.OffsetInPage}: event type {type} has no format in the file";
            return;
        }
        var format = decoding.Format;
        int pid = decoding.Pid is { } pf ? (int)c.ReadNumber(pf.Offset, pf.Size, true) : -1;
        record.Pid = pid;
        record.Comm = Comm(pid);
        record.Event = decoding.Name;
        if (decoding.Caller is { } caller)
        {
            record.Kind = RecordKind.StackStart;
            _frames.Clear();
            _frameAt = 0;
            _frameCpu = cpu.Cpu;
            _framePid = pid;
            // kernel/trace/trace.c __ftrace_trace_stack: size is the number of entries in caller[] (the array runs
            // past its nominal 8 to the end of the event).
            long entries = decoding.Size is { } sf ? c.ReadNumber(sf.Offset, sf.Size, true) : 0;
            int room = (data.Length - caller.Offset) / file.LongSize;
            for (int i = 0; i < Math.Min(entries, room); i++)
            {
                ulong address = (ulong)c.ReadNumber(caller.Offset + i * file.LongSize, file.LongSize, false);
                if (address == 0 || address == ulong.MaxValue && file.LongSize == 8 || address == uint.MaxValue && file.LongSize == 4) break;
                _frames.Add(address);
            }
            return;
        }
        record.Kind = RecordKind.Event;
        if (_event is { } typed)
        {
            // Typed: the fields are read from the record where they are needed; the text only when asked for.
            typed.Set(format, cpu.Data, cpu.EventOffset, cpu.EventLength);
            record.Binary = typed;
            return;
        }
        RenderPayload(file, format, data, _payload);
        record.Payload = TrimEnd(_payload.Span);
    }

    /// <summary>An event's payload as trace-cmd report prints it without plugins, into <paramref name="payload"/>.</summary>
    internal static void RenderPayload(TraceDatFile file, EventFormat format, ReadOnlySpan<byte> data, PayloadBuffer payload)
    {
        payload.Clear();
        var c = new PrintContext(data, file.BigEndian, file.LongSize);
        format.Printer ??= PrintFormat.Parse(format, file.LongSize);
        if (format.Printer.Problem is null) format.Printer.Render(ref c, payload, file.Kallsyms);
        else RenderFields(format, ref c, payload);
    }

    private ReadOnlySpan<byte> EventBytes(RingBufferCpu cpu) => cpu.Data.AsSpan(cpu.EventOffset, cpu.EventLength);

    internal static ReadOnlySpan<byte> TrimEnd(ReadOnlySpan<byte> s)
    {
        int n = s.Length;
        while (n > 0 && s[n - 1] is (byte)' ' or (byte)'\n' or (byte)'\t') n--;
        return s[..n];
    }

    /// <summary>A format whose print format cannot be read: its fields as <c>name=value</c>, as libtraceevent does.</summary>
    private static void RenderFields(EventFormat format, ref PrintContext c, PayloadBuffer payload)
    {
        foreach (var f in format.Fields)
        {
            if (f.Name.StartsWith("common_", StringComparison.Ordinal)) continue;
            if (payload.Length > 0) payload.Append((byte)' ');
            payload.Append(f.Name);
            payload.Append((byte)'=');
            var v = new FieldExpr(f).Eval(ref c);
            if (v.Kind == PrintValueKind.Bytes && f.IsString)
            {
                var s = c.Record.Slice(v.Offset, v.Length);
                int nul = s.IndexOf((byte)0);
                payload.Append(nul >= 0 ? s[..nul] : s);
            }
            else if (v.Kind == PrintValueKind.Number) payload.Append(v.Unsigned ? ((ulong)v.Number).ToString() : v.Number.ToString());
            else payload.Append("ARRAY");
        }
    }

    /// <summary>Nanoseconds: TSC2NSEC for an x86-tsc clock (libtracecmd: (ts * mult) &gt;&gt; shift, plus offset), then
    /// the OFFSET option.</summary>
    private long Time(ulong ts)
    {
        var file = _file!;
        long t = (long)ts;
        if (_tsc && file.Tsc2Nsec is { } k)
            t = (long)(ulong)(((UInt128)ts * k.Mult) >> k.Shift) + k.Offset;
        return t + file.TimeOffset;
    }

    /// <summary>trace-cmd report's comm: the saved cmdline of the pid, <c>&lt;idle&gt;</c> for pid 0, <c>&lt;...&gt;</c> when not saved.</summary>
    private ReadOnlySpan<byte> Comm(int pid)
    {
        if (_comms.TryGetValue(pid, out var b)) return b;
        string comm = pid == 0 ? "<idle>" : _file!.Comms.TryGetValue(pid, out var s) ? s : "<...>";
        b = Encoding.Latin1.GetBytes(comm);
        _comms[pid] = b;
        return b;
    }

    /// <summary>A stack frame's function (kallsyms, by binary search once per address), or its address in hex.</summary>
    private byte[] FrameName(ulong address)
    {
        if (_frameNames.TryGetValue(address, out var b)) return b;
        string name = _file!.Kallsyms.Find(address) is { } sym ? sym.Name : "0x" + address.ToString("x");
        _frameNames[address] = b = Encoding.Latin1.GetBytes(name);
        return b;
    }

    /// <summary>What each record of an event type needs of its format, looked up once per type (not by name, field by
    /// field, per record): the format, its name's bytes, the <c>common_pid</c> field and, for ftrace's
    /// <c>kernel_stack</c>, its <c>caller</c> and <c>size</c> fields.</summary>
    private sealed class EventDecoding(EventFormat format)
    {
        public readonly EventFormat Format = format;
        public readonly byte[] Name = Encoding.Latin1.GetBytes(format.Name);
        public readonly EventField? Pid = format.Field("common_pid");
        public readonly EventField? Caller = format.System == "ftrace" && format.Name == "kernel_stack" ? format.Field("caller") : null;
        public readonly EventField? Size = format.Field("size");
    }

    private EventDecoding? Decoding(int type)
    {
        if ((uint)type < (uint)_decodings.Length && _decodings[type] is { } known) return known;
        if (!_file!.Events.TryGetValue(type, out var format)) return null;
        if (type >= _decodings.Length) Array.Resize(ref _decodings, Math.Max(type + 1, Math.Min(2 * _decodings.Length, 1 << 16)));
        return _decodings[type] = new EventDecoding(format);
    }

    public void Dispose()
    {
        _storage?.Dispose();
        _input?.Dispose();
    }
}
