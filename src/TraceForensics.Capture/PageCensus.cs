using System.Buffers.Binary;

namespace TraceForensics.Capture;

/// <summary>What a CPU's page file holds per event type: events and their bytes in the ring buffer (the 4-byte event
/// header and, for type_len 0, the length word, included; time extends and padding are not counted), keyed by the
/// event's common_type (the u16 at the start of its data, include/linux/trace_events.h struct trace_entry). The pages
/// are walked as <see cref="RecordedPages"/> walks them.</summary>
public sealed class PageCensus
{
    public Dictionary<int, (long Events, long Bytes)> ByType { get; } = new();
    public long Pages { get; private set; }

    /// <summary>Adds the events of a little-endian page file (64-bit page header, data at <paramref name="dataOffset"/>).</summary>
    public void Add(string pageFile, int pageSize, int dataOffset = 16)
    {
        const uint CommitMask = (1u << 27) - 1;
        var page = new byte[pageSize];
        using var f = new FileStream(pageFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        while (f.ReadAtLeast(page, pageSize, throwOnEndOfStream: false) == pageSize)
        {
            Pages++;
            uint commit = BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(8));
            int end = dataOffset + (int)Math.Min(commit & CommitMask, (uint)(pageSize - dataOffset));
            for (int p = dataOffset; p + 4 <= end;)
            {
                uint header = BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(p));
                int typeLen = (int)(header & 0x1f);
                int start = p;
                p += 4;
                int data, length;
                if (typeLen == 29)
                {
                    if ((header >> 5) == 0 || p + 4 > end) break; // the rest of the page is unused
                    p += (int)BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(p));
                    continue;
                }
                if (typeLen >= 30) { p += 4; continue; }
                if (typeLen == 0)
                {
                    if (p + 4 > end) break;
                    uint n = BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(p));
                    if (n < 4) break;
                    data = p + 4;
                    length = (int)((n - 4 + 3) & ~3u);
                    p += 4 + length;
                }
                else
                {
                    data = p;
                    length = typeLen * 4;
                    p += length;
                }
                if (p > end || length < 2) break;
                int type = BinaryPrimitives.ReadUInt16LittleEndian(page.AsSpan(data));
                var (events, bytes) = ByType.GetValueOrDefault(type);
                ByType[type] = (events + 1, bytes + (p - start));
            }
        }
    }
}
