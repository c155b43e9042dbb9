using System.Numerics;
using System.Runtime.CompilerServices;
using TraceForensics.Events.Model;
using TraceForensics.Replay.Bios;
using TraceForensics.Replay.Evidence;

namespace TraceForensics.Replay.Pages;

/// <summary>Owns page state. A page has one identity (dev, ino, index); its pfn and folio pointer are bound to it by
/// any event that carries two of them (mm_filemap_add_to_page_cache, a probe with folio= and index=).
/// Idle pages are dropped, so memory follows live state, not trace length. The pages whose lock a task holds are
/// indexed by the task, so asking for them does not scan every live page.</summary>
public sealed class PageTracker
{
    private readonly PageTable _pages = new();
    private readonly Dictionary<ulong, PageKey> _byPfn = new();
    private readonly Dictionary<ulong, PageKey> _byFolio = new();
    private readonly Dictionary<(ulong Ino, long Index), PageKey> _byInoIndex = new();
    /// <summary>Per task, the pages whose lock it holds, in key order.</summary>
    private readonly Dictionary<int, SortedSet<PageKey>> _heldBy = new();

    /// <summary>A deep copy whose pages point at the copies of their ioends.</summary>
    internal PageTracker Clone(IReadOnlyDictionary<IoendRecord, IoendRecord> ioends)
    {
        var clone = new PageTracker();
        foreach (var (key, page) in _pages.Entries) clone._pages.GetOrAdd(key) = page.Clone(ioends);
        foreach (var (pfn, key) in _byPfn) clone._byPfn[pfn] = key;
        foreach (var (folio, key) in _byFolio) clone._byFolio[folio] = key;
        foreach (var (at, key) in _byInoIndex) clone._byInoIndex[at] = key;
        foreach (var (pid, held) in _heldBy) clone._heldBy[pid] = new SortedSet<PageKey>(held, KeyOrder);
        return clone;
    }

    /// <summary>The live pages in key order (dev, ino, index).</summary>
    public IEnumerable<PageRecord> Live => _pages.Entries.OrderBy(p => p.Key, KeyOrder).Select(p => new PageRecord(p.Key, p.State));

    private static readonly Comparer<PageKey> KeyOrder = Comparer<PageKey>.Create(Compare);

    /// <summary>The page's state now (a copy: it does not follow later events), or null when the page is idle.</summary>
    public PageRecord? Get(PageKey key)
    {
        ref var page = ref _pages.Get(key);
        return Unsafe.IsNullRef(ref page) ? null : new PageRecord(key, page);
    }

    /// <summary>A page whose lock this task holds (the lowest key when several, for determinism), or null.</summary>
    public PageRecord? HeldBy(int pid) => _heldBy.TryGetValue(pid, out var held) ? Get(held.Min) : null;

    private void Holds(int? pid, PageKey key, bool held)
    {
        if (pid is not int holder) return;
        if (held)
        {
            if (!_heldBy.TryGetValue(holder, out var keys)) _heldBy[holder] = keys = new(KeyOrder);
            keys.Add(key);
        }
        else if (_heldBy.TryGetValue(holder, out var keys) && keys.Remove(key) && keys.Count == 0) _heldBy.Remove(holder);
    }

    private static int Compare(PageKey a, PageKey b) =>
        a.Dev != b.Dev ? a.Dev.CompareTo(b.Dev) : a.Ino != b.Ino ? a.Ino.CompareTo(b.Ino) : a.Index.CompareTo(b.Index);

    /// <summary>The page an event names, binding its pfn/folio pointer to (dev, ino, index) when it carries both.</summary>
    public PageKey? Resolve(in EventPayload p)
    {
        PageKey? key = null;
        if (p.Ino is ulong ino && p.Index is long index)
        {
            if (p.Dev is DeviceNumber dev) key = new PageKey(dev, ino, index);
            else if (_byInoIndex.TryGetValue((ino, index), out var k)) key = k;
        }
        if (key is null && p.Folio is ulong f && _byFolio.TryGetValue(f, out var byFolio)) key = byFolio;
        if (key is null && p.Pfn is ulong pfn && _byPfn.TryGetValue(pfn, out var byPfn)) key = byPfn;
        if (key is PageKey bound)
        {
            if (p.Pfn is ulong pf) _byPfn[pf] = bound;
            if (p.Folio is ulong fo) _byFolio[fo] = bound;
            if (p.Dev is not null) _byInoIndex[(bound.Ino, bound.Index)] = bound;
        }
        return key;
    }

    /// <summary>mm_filemap_delete_from_page_cache: the page leaves the cache; its pfn and folio pointer will be reused.</summary>
    public void PageCacheDelete(in EventPayload p)
    {
        if (p.Pfn is ulong pfn) _byPfn.Remove(pfn);
        if (p.Folio is ulong folio) _byFolio.Remove(folio);
    }

    /// <summary>The stored state of a page, added (idle) when absent: one lookup, found or added. The reference is good
    /// until the table next changes.</summary>
    private ref PageState GetOrAdd(PageKey key) => ref _pages.GetOrAdd(key);

    public void PageLockAcquired(PageKey key, int pid, EvidenceLine line, bool observed, InferenceRule? rule)
    {
        ref var known = ref _pages.Get(key);
        int? holder = Unsafe.IsNullRef(ref known) ? null : known.LockHolder;
        Holds(holder, key, held: false);
        Holds(pid, key, held: true);
        GetOrAdd(key).SetLock(pid, line, observed, rule);
    }

    public void PageUnlock(PageKey key)
    {
        ref var page = ref _pages.Get(key);
        if (Unsafe.IsNullRef(ref page)) return;
        Holds(page.LockHolder, key, held: false);
        page.ClearLock();
        if (page.Idle) _pages.Remove(key);
    }

    public void WritebackStart(PageKey key, int pid, IoendRecord? ioend, (InferenceRule Rule, EvidenceLine Line)? deviceFrom = null) =>
        WritebackStart(key, 1, pid, ioend, deviceFrom);

    /// <summary><paramref name="count"/> consecutive pages from <paramref name="first"/> under writeback by a task.</summary>
    public void WritebackStart(PageKey first, int count, int pid, IoendRecord? ioend, (InferenceRule Rule, EvidenceLine Line)? deviceFrom)
    {
        // A block of the table at a time (PageTable): one lookup for the pages of the run in it.
        for (int done = 0; done < count;)
        {
            var run = _pages.GetOrAddRun(done == 0 ? first : first with { Index = first.Index + done }, count - done);
            foreach (ref var page in run)
            {
                page.UnderWriteback = true;
                page.WritebackBy = pid;
                page.HasWritebackBy = true;
                page.SetWritebackDeviceFrom(deviceFrom);
                if (ioend is not null) page.Ioend = ioend;
            }
            done += run.Length;
        }
    }

    /// <summary>The writeback of <paramref name="count"/> consecutive pages from <paramref name="first"/> ended: the same
    /// as ending each in turn.</summary>
    public void WritebackEnd(PageKey first, int count)
    {
        // A block of the table at a time (PageTable); a page is kept only when something else keeps it (its lock).
        for (int done = 0; done < count;)
        {
            var key = done == 0 ? first : first with { Index = first.Index + done };
            var run = _pages.Run(key, count - done, out int length, out ulong stored);
            ulong idle = 0;
            for (; stored != 0; stored &= stored - 1)
            {
                int i = BitOperations.TrailingZeroCount(stored);
                ref var page = ref run[i];
                page.UnderWriteback = false;
                page.Ioend = null;
                page.SetWritebackDeviceFrom(null);
                if (page.Idle) idle |= 1UL << i;
            }
            if (idle != 0) _pages.Remove(key, idle);
            done += length;
        }
    }

    /// <summary>The writeback of one page ended; the page is kept only when something else keeps it (its lock).</summary>
    public void WritebackEnd(PageKey key) => WritebackEnd(key, 1);
}
