using System.Buffers.Binary;

namespace TraceForensics.Capture;

/// <summary>What one CPU's page file holds: pages, data events, and the events the ring buffer lost, each loss placed
/// before the page that reports it (kernel/trace/ring_buffer.c <c>ring_buffer_read_page</c>: the commit word of the
/// first page read after a loss has RB_MISSED_EVENTS, bit 31, and, when the page had room, RB_MISSED_STORED, bit 30,
/// with the count stored as a long after the data). Events are walked as libtraceevent kbuffer-parse.c does: type_len
/// 1..28 and 0 are data, 29 padding, 30 and 31 time stamps.</summary>
public sealed record RecordedPages(int Cpu, long Pages, long Events, long Lost, int LossesWithoutCount, IReadOnlyList<(long Page, long Count)> Losses)
{
    private const uint MissedEvents = 1u << 31, MissedStored = 1u << 30, CommitMask = (1u << 27) - 1;

    /// <summary>Walks a little-endian page file (64-bit kernel page header: u64 time stamp, 8-byte commit, data at
    /// <paramref name="dataOffset"/>).</summary>
    public static RecordedPages Count(int cpu, string pageFile, int pageSize, int dataOffset = 16)
    {
        long pages = 0, events = 0, lost = 0;
        int unknown = 0;
        var losses = new List<(long, long)>();
        var page = new byte[pageSize];
        using var f = new FileStream(pageFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        while (f.ReadAtLeast(page, pageSize, throwOnEndOfStream: false) == pageSize)
        {
            uint commit = BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(8));
            int end = dataOffset + (int)Math.Min(commit & CommitMask, (uint)(pageSize - dataOffset));
            if ((commit & MissedEvents) != 0)
            {
                long n = -1;
                if ((commit & MissedStored) != 0 && end + 8 <= pageSize) n = BinaryPrimitives.ReadInt64LittleEndian(page.AsSpan(end));
                losses.Add((pages, n));
                if (n > 0) lost += n;
                else unknown++;
            }
            for (int p = dataOffset; p + 4 <= end;)
            {
                uint header = BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(p));
                int typeLen = (int)(header & 0x1f);
                p += 4;
                if (typeLen == 29)
                {
                    if ((header >> 5) == 0 || p + 4 > end) break; // the rest of the page is unused
                    p += (int)BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(p));
                }
                else if (typeLen >= 30) p += 4;
                else if (typeLen == 0)
                {
                    if (p + 4 > end) break;
                    uint length = BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(p));
                    if (length < 4) break;
                    p += 4 + (int)((length - 4 + 3) & ~3u);
                    events++;
                }
                else
                {
                    p += typeLen * 4;
                    events++;
                }
            }
            pages++;
        }
        return new RecordedPages(cpu, pages, events, lost, unknown, losses);
    }
}
