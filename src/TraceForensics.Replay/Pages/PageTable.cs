using System.Numerics;
using System.Runtime.CompilerServices;

namespace TraceForensics.Replay.Pages;

/// <summary>The stored pages of the page tracker, by blocks of 64 consecutive pages of a file: a writeback extent names
/// its pages in a run (a 1 MiB folio is 256 of them, each started and ended under writeback), and a run falls in a few
/// blocks, each found once (the block of the page before is kept at hand), where a table by page looked every page up
/// (issue 15: those lookups were the larger part of the replay's time on the memcg benchmark). A block goes when its last
/// page does, so memory still follows the live pages. What is stored and found is the same as a table by page; the order
/// of its entries is not kept (who lists them sorts them).</summary>
internal sealed class PageTable
{
    private const int Shift = 6;
    private const int Size = 1 << Shift;
    private const long Mask = Size - 1;

    private sealed class Block
    {
        public ulong Present; // bit i: the page at index i of the block is stored
        public readonly PageState[] Pages = new PageState[Size];
    }

    private readonly Dictionary<PageKey, Block> _blocks = new();
    private PageKey _lastKey;
    private Block? _last;

    /// <summary>The key of a page's block: the page's with its index divided by the block's size (rounded down, also for
    /// a negative index).</summary>
    private static PageKey BlockOf(PageKey key) => key with { Index = key.Index >> Shift };

    private Block? Find(PageKey blockKey)
    {
        if (_last is not null && _lastKey.Equals(blockKey)) return _last;
        if (!_blocks.TryGetValue(blockKey, out var block)) return null;
        _lastKey = blockKey;
        return _last = block;
    }

    /// <summary>The stored state of a page, or a null reference when it is not stored. Good until the page is removed.</summary>
    public ref PageState Get(PageKey key)
    {
        var block = Find(BlockOf(key));
        int slot = (int)(key.Index & Mask);
        if (block is null || (block.Present & (1UL << slot)) == 0) return ref Unsafe.NullRef<PageState>();
        return ref block.Pages[slot];
    }

    /// <summary>The stored state of a page, added (idle) when absent. Good until the page is removed.</summary>
    public ref PageState GetOrAdd(PageKey key)
    {
        var blockKey = BlockOf(key);
        var block = Find(blockKey);
        if (block is null)
        {
            block = new Block();
            _blocks.Add(blockKey, block);
            _lastKey = blockKey;
            _last = block;
        }
        int slot = (int)(key.Index & Mask);
        block.Present |= 1UL << slot;
        return ref block.Pages[slot];
    }

    /// <summary>The pages from <paramref name="first"/> on that lie in its block, at most <paramref name="count"/>, added
    /// (idle) where absent: their stored states, in index order.</summary>
    public Span<PageState> GetOrAddRun(PageKey first, int count)
    {
        GetOrAdd(first); // the block, made when absent, is now the last one
        int slot = (int)(first.Index & Mask);
        int n = Math.Min(count, Size - slot);
        _last!.Present |= (n == Size ? ulong.MaxValue : (1UL << n) - 1) << slot;
        return _last.Pages.AsSpan(slot, n);
    }

    /// <summary>The pages from <paramref name="first"/> on that lie in its block, at most <paramref name="count"/>: their
    /// number (<paramref name="length"/>), their states (empty when none of them is stored) and which of them are stored
    /// (<paramref name="stored"/>, bit i: the i-th).</summary>
    public Span<PageState> Run(PageKey first, int count, out int length, out ulong stored)
    {
        int slot = (int)(first.Index & Mask);
        length = Math.Min(count, Size - slot);
        var block = Find(BlockOf(first));
        stored = block is null ? 0 : (block.Present >> slot) & (length == Size ? ulong.MaxValue : (1UL << length) - 1);
        return stored == 0 ? Span<PageState>.Empty : block!.Pages.AsSpan(slot, length);
    }

    /// <summary>Removes the pages of <paramref name="first"/>'s block marked in <paramref name="which"/> (bit i: the page
    /// i after <paramref name="first"/>), as <see cref="Remove"/> removes each.</summary>
    public void Remove(PageKey first, ulong which)
    {
        var blockKey = BlockOf(first);
        var block = Find(blockKey);
        if (block is null) return;
        ulong gone = (which << (int)(first.Index & Mask)) & block.Present; // the marks lie in the block (Run's length)
        for (ulong b = gone; b != 0; b &= b - 1) block.Pages[BitOperations.TrailingZeroCount(b)] = default;
        block.Present &= ~gone;
        if (block.Present != 0) return;
        _blocks.Remove(blockKey);
        _last = null;
    }

    /// <summary>Removes a page (nothing when it is not stored).</summary>
    public void Remove(PageKey key)
    {
        var blockKey = BlockOf(key);
        var block = Find(blockKey);
        int slot = (int)(key.Index & Mask);
        if (block is null || (block.Present & (1UL << slot)) == 0) return;
        block.Present &= ~(1UL << slot);
        block.Pages[slot] = default; // a page added again here starts idle; its ioend is not kept alive
        if (block.Present != 0) return;
        _blocks.Remove(blockKey);
        _last = null;
    }

    /// <summary>The stored pages, in no particular order.</summary>
    public IEnumerable<(PageKey Key, PageState State)> Entries
    {
        get
        {
            foreach (var (blockKey, block) in _blocks)
                for (ulong present = block.Present; present != 0; present &= present - 1)
                {
                    int slot = BitOperations.TrailingZeroCount(present);
                    yield return (blockKey with { Index = (blockKey.Index << Shift) | (long)slot }, block.Pages[slot]);
                }
        }
    }
}
