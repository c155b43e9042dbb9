using System.Buffers.Binary;

namespace TraceForensics.Cli.Watch;

/// <summary>The ring-buffer pages a watch holds: every page read lands here (from the CPUs' reader threads), is handed
/// once to the live replay (<see cref="TakeNew"/>) and kept while it may hold events of the last window
/// (<see cref="Trim"/>), so that an incident writes the window as a trace file (<see cref="Snapshot"/>). A page is
/// placed in time by its header's timestamp (kernel/trace/ring_buffer.c <c>struct buffer_data_page</c>: u64
/// time_stamp of the page's first event, then the commit word), so memory is bounded by the window's pages.</summary>
internal sealed class PageWindow
{
    private readonly object _lock = new();
    private readonly Dictionary<int, List<byte[]>> _kept = new();
    private readonly Dictionary<int, List<byte[]>> _new = new();
    private long _bytes;

    /// <summary>Bytes of pages held now.</summary>
    public long Bytes { get { lock (_lock) return _bytes; } }

    /// <summary>Takes a page of <paramref name="cpu"/> (called on its reader thread).</summary>
    public void Add(int cpu, byte[] page)
    {
        lock (_lock)
        {
            if (!_kept.TryGetValue(cpu, out var kept)) _kept[cpu] = kept = [];
            if (!_new.TryGetValue(cpu, out var fresh)) _new[cpu] = fresh = [];
            kept.Add(page);
            fresh.Add(page);
            _bytes += page.Length;
        }
    }

    /// <summary>The pages added since the last call, per CPU in reading order.</summary>
    public List<(int Cpu, List<byte[]> Pages)> TakeNew()
    {
        lock (_lock)
        {
            var taken = _new.Where(p => p.Value.Count > 0).OrderBy(p => p.Key).Select(p => (p.Key, p.Value)).ToList();
            foreach (var (cpu, _) in taken) _new[cpu] = [];
            return taken;
        }
    }

    /// <summary>Every page held, per CPU in reading order, and none new after: for a replay started again from the window
    /// (the pages not yet taken are in it, so they are not handed over a second time).</summary>
    public List<(int Cpu, List<byte[]> Pages)> TakeAll()
    {
        lock (_lock)
        {
            foreach (var cpu in _new.Keys.ToList()) _new[cpu] = [];
            return Snapshot(); // the same lock, taken again by this thread
        }
    }

    /// <summary>Drops the pages wholly before <paramref name="fromRaw"/> (the ring buffer's clock): a page goes when the
    /// page after it on its CPU starts before that time.</summary>
    public void Trim(ulong fromRaw)
    {
        lock (_lock)
        {
            foreach (var pages in _kept.Values)
            {
                int drop = 0;
                while (drop + 1 < pages.Count && Start(pages[drop + 1]) < fromRaw) drop++;
                for (int i = 0; i < drop; i++) _bytes -= pages[i].Length;
                pages.RemoveRange(0, drop);
            }
        }
    }

    /// <summary>The pages held now, per CPU in reading order (the arrays are shared, never written again).</summary>
    public List<(int Cpu, List<byte[]> Pages)> Snapshot()
    {
        lock (_lock) return _kept.OrderBy(p => p.Key).Select(p => (p.Key, p.Value.ToList())).ToList();
    }

    /// <summary>The page's header timestamp, in the machine's byte order (the ring buffer's own).</summary>
    public static ulong Start(byte[] page) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt64LittleEndian(page) : BinaryPrimitives.ReadUInt64BigEndian(page);
}
