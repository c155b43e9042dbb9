namespace TraceForensics.Ingest.TraceDat;

/// <summary>One CPU's ring-buffer pages, read event by event (libtraceevent kbuffer-parse.c; kernel
/// kernel/trace/ring_buffer.c). A page: u64 timestamp, the commit word (long-sized: the data size in its low 27 bits,
/// bit 31 set when events were lost before this page, bit 30 when their count is stored after the data), then events.
/// An event: a u32 header with type_len in its low 5 bits and time_delta in the upper 27 (big-endian files: type_len
/// in the top 5 bits); type_len 1..28: data of type_len*4 bytes follows; 0: a u32 length (of itself and the data)
/// then the data; 29 padding (its u32 length; a delta of 0 marks the rest of the page unused); 30 time extend (a u32
/// of more delta bits, delta += u32 &lt;&lt; 27); 31 an absolute timestamp the same way.</summary>
internal sealed class RingBufferCpu(int cpu, CpuPages pages, TraceDatFile file, int pageSize, long fileOffset)
{
    private const int TsShift = 27;
    private const int TypePadding = 29, TypeTimeExtend = 30, TypeTimeStamp = 31;
    private const uint MissingEvents = 1u << 31, MissingStored = 1u << 30, CommitMask = (1u << 27) - 1;

    /// <summary>One CPU's pages streamed from <paramref name="pages"/> (whole pages, as trace_pipe_raw hands them
    /// over), one page in memory at a time.</summary>
    public RingBufferCpu(int cpu, Stream pages, TraceDatFile file, int pageSize) : this(cpu, CpuPages.FromStream(pages, pageSize), file, pageSize, 0)
    {
    }

    public int Cpu => cpu;
    /// <summary>The bytes of the current page (and maybe of the pages around it): valid until the next <see cref="Advance"/>.</summary>
    public byte[] Data => _data;
    private byte[] _data = [];
    private int _page = -1;
    private int _pageStart, _pageLength, _dataEnd, _next;
    /// <summary>Why the CPU's data ended early, once (taken by the caller).</summary>
    public string? TakeFailure()
    {
        var f = pages.Failure;
        if (f is null || _failureTaken) return null;
        _failureTaken = true;
        return f;
    }
    private bool _failureTaken;
    private ulong _time;

    // The current event (valid when HasEvent).
    public bool HasEvent { get; private set; }
    public ulong Timestamp { get; private set; }
    public int EventOffset { get; private set; }
    public int EventLength { get; private set; }
    /// <summary>Events the ring buffer lost before the current event (-1: some, count unknown); 0 for none.</summary>
    public long LostBefore { get; private set; }
    /// <summary>A problem met while reading (a bad page), reported once by the caller; cleared on take.</summary>
    public string? Problem { get; set; }
    public int Page => _page;
    /// <summary>The current event's header, from the start of its page.</summary>
    public int OffsetInPage => _eventHeader - _pageStart;
    /// <summary>Where the current event's header is in the file (for a compressed file: the CPU data's offset in the
    /// file plus the header's offset in the CPU's decompressed pages).</summary>
    public long FileOffset => fileOffset + (long)_page * pageSize + (_eventHeader - _pageStart);
    private int _eventHeader;
    public long Consumed => _page < 0 ? 0 : Math.Max(0, (long)_page * pageSize + (_next - _pageStart));

    /// <summary>Moves to the next data event; false at the end of the CPU's data.</summary>
    public bool Advance()
    {
        LostBefore = 0;
        while (true)
        {
            if (_page < 0 || _next >= _dataEnd)
            {
                if (!NextPage()) { HasEvent = false; return false; }
            }
            if (_dataEnd - _next < 4) { _next = _dataEnd; continue; }
            _eventHeader = _next;
            uint header = (uint)TraceDatBytes.Read(_data.AsSpan(_next, 4), 4, file.BigEndian);
            int typeLen = file.BigEndian ? (int)(header >> 27) : (int)(header & 0x1f);
            uint delta = file.BigEndian ? header & ((1u << 27) - 1) : header >> 5;
            int p = _next + 4;
            switch (typeLen)
            {
                case TypePadding:
                {
                    if (delta == 0 || _dataEnd - p < 4) { _next = _dataEnd; continue; }
                    uint length = U32(p);
                    _time += delta;
                    if (length > (uint)(_dataEnd - p)) { _next = _dataEnd; continue; }
                    _next = p + (int)length;
                    continue;
                }
                case TypeTimeExtend or TypeTimeStamp:
                {
                    if (_dataEnd - p < 4) { Bad("a time extend cut off at the end of the page"); continue; }
                    ulong extend = ((ulong)U32(p) << TsShift) + delta;
                    if (typeLen == TypeTimeStamp)
                        // kbuffer-parse.c: an absolute stamp keeps the page stamp's bits above its 59 (ring_buffer.c TS_MSB).
                        _time = extend | (_time & ~((1UL << 59) - 1));
                    else _time += extend;
                    _next = p + 4;
                    continue;
                }
                case 0:
                {
                    if (_dataEnd - p < 4) { Bad("an event length cut off at the end of the page"); continue; }
                    uint length = U32(p);
                    if (length < 4 || length - 4 > (uint)(_dataEnd - p - 4)) { Bad($"an event length of {length} bytes runs past the page"); continue; }
                    _time += delta;
                    EventOffset = p + 4;
                    EventLength = (int)length - 4;
                    _next = p + 4 + (int)((length - 4 + 3) & ~3u);
                    break;
                }
                default:
                {
                    int length = typeLen * 4;
                    if (length > _dataEnd - p) { Bad($"an event of {length} bytes runs past the page"); continue; }
                    _time += delta;
                    EventOffset = p;
                    EventLength = length;
                    _next = p + length;
                    break;
                }
            }
            Timestamp = _time;
            HasEvent = true;
            return true;
        }
    }

    private void Bad(string what)
    {
        Problem = $"cpu {cpu} page {_page} offset {_next - _pageStart}: {what}; the rest of the page is skipped";
        _next = _dataEnd;
    }

    private uint U32(int at) => (uint)TraceDatBytes.Read(_data.AsSpan(at, 4), 4, file.BigEndian);

    private bool NextPage()
    {
        while (true)
        {
            if (!pages.Next(out _data, out _pageStart, out _pageLength)) return false;
            _page++;
            int available = _pageLength;
            int headerSize = file.PageDataOffset;
            if (available < headerSize)
            {
                Problem = $"cpu {cpu} page {_page}: cut off ({available} of {pageSize} bytes)";
                return false;
            }
            _time = TraceDatBytes.Read(_data.AsSpan(_pageStart, 8), 8, file.BigEndian);
            ulong commit = TraceDatBytes.Read(_data.AsSpan(_pageStart + 8, file.CommitSize), file.CommitSize, file.BigEndian);
            uint length = (uint)commit & CommitMask;
            _next = _pageStart + headerSize;
            if (length > (uint)(available - headerSize))
            {
                Problem = $"cpu {cpu} page {_page}: a commit of {length} bytes does not fit the page; page skipped";
                continue;
            }
            _dataEnd = _next + (int)length;
            if (((uint)commit & MissingEvents) != 0)
            {
                LostBefore = -1;
                if (((uint)commit & MissingStored) != 0 && _dataEnd + file.LongSize <= _pageStart + available)
                    LostBefore = (long)TraceDatBytes.Read(_data.AsSpan(_dataEnd, file.LongSize), file.LongSize, file.BigEndian);
            }
            return true;
        }
    }
}
