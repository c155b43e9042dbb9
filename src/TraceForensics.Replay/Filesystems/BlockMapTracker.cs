using TraceForensics.Events.Model;
using TraceForensics.Replay.Evidence;
using TraceForensics.Replay.Pages;

namespace TraceForensics.Replay.Filesystems;

/// <summary>Owns what a filesystem said about where file blocks are on disk (ext4's block mappers: fs/ext4/extents.c
/// ext4_ext_map_blocks and fs/ext4/indirect.c ext4_ind_map_blocks trace their exit with lblk, pblk and len), and each
/// filesystem's block size, so that a page under writeback on a filesystem that names no sector for its data (ext4)
/// has a sector on its device: sector = pblk * (blocksize / 512) (fs/ext4/page-io.c io_submit_init_bio:
/// bi_sector = bh->b_blocknr * (bh->b_size >> 9)). The block size comes from the capture-time topology when it records
/// it, else from a bio a task queues on the device inside the blocks it mapped last (rule
/// ext4-block-size-from-mapped-bio); without either, no page gets a sector.</summary>
public sealed class BlockMapTracker
{
    private readonly record struct Extent(ulong Lblk, ulong Pblk, ulong Len, EvidenceLine Line);

    /// <summary>Per inode, its mapped extents by first logical block. They never overlap (a mapping replaces those it
    /// overlaps), so the one holding a block is the last starting at or before it: a binary search, not a scan.</summary>
    private Dictionary<(DeviceNumber Dev, ulong Ino), SortedList<ulong, Extent>> _extents = new();
    private Dictionary<DeviceNumber, (int BlockSize, EvidenceLine Line)> _inferredBlockSize = new();
    /// <summary>Per task: its last mappings, newest last (at most <see cref="RecentMaps"/>), until a bio says the block size.</summary>
    private Dictionary<int, List<(DeviceNumber Dev, Extent Extent)>> _recentMaps = new();

    /// <summary>How many of a task's mappings are kept: ext4 submits an extent's bio once the next extent's buffers do not
    /// merge into it, so a bio may belong to a mapping a few before the last.</summary>
    private const int RecentMaps = 8;

    /// <summary>Block sizes ext4 supports (1 KiB to 64 KiB; fs/ext4/super.c ext4_load_super, EXT4_MAX_BLOCK_LOG_SIZE),
    /// limited here to those no larger than a page.</summary>
    private static readonly int[] BlockSizes = [1024, 2048, 4096];

    internal BlockMapTracker Clone() => new()
    {
        _extents = _extents.ToDictionary(kv => kv.Key, kv => new SortedList<ulong, Extent>(kv.Value)),
        _inferredBlockSize = new(_inferredBlockSize),
        _recentMaps = _recentMaps.ToDictionary(kv => kv.Key, kv => new List<(DeviceNumber, Extent)>(kv.Value)),
    };

    /// <summary>ext4_ext_map_blocks_exit / ext4_ind_map_blocks_exit: blocks [lblk, lblk+len) of the inode are at pblk.
    /// A mapping that mapped nothing (ret 0: a hole) says nothing.</summary>
    public void Map(in TraceEvent e)
    {
        if (e.Payload is not { Dev: DeviceNumber dev, Ino: ulong ino, Index: long lblk, Sector: ulong pblk, Count: long len } || len <= 0 || lblk < 0) return;
        var extent = new Extent((ulong)lblk, pblk, (ulong)len, EvidenceLine.Of(e));
        if (!_extents.TryGetValue((dev, ino), out var list)) _extents[(dev, ino)] = list = new();
        // A later mapping of the same blocks replaces an earlier one (the blocks were reallocated): the extent starting
        // before it if it reaches into it, and those starting inside it.
        int i = LastStartingAtOrBefore(list, extent.Lblk);
        if (i < 0 || list.Values[i].Lblk + list.Values[i].Len <= extent.Lblk) i++;
        while (i < list.Count && list.Keys[i] < extent.Lblk + extent.Len) list.RemoveAt(i);
        list.Add(extent.Lblk, extent);
        if (!_recentMaps.TryGetValue(e.Pid, out var recent)) _recentMaps[e.Pid] = recent = new();
        if (recent.Count == RecentMaps) recent.RemoveAt(0);
        recent.Add((dev, extent));
    }

    /// <summary>The task exited: its mappings say nothing of a later task given its pid.</summary>
    public void Exited(int pid) => _recentMaps.Remove(pid);

    /// <summary>block_bio_queue by a task whose last mapping was on that device: the bio lies inside that mapping, from
    /// pblk + k in units of blocksize/512, for exactly one supported block size, and inside none of the task's earlier
    /// mappings for any (ext4 submits an extent's bio after mapping the next one: fs/ext4/page-io.c io_submit_add_bh ->
    /// ext4_io_submit when the next buffer does not merge), or the bio says nothing.</summary>
    public void BioQueued(in TraceEvent e)
    {
        if (e.Payload.Dev is not DeviceNumber dev || e.Payload.Sector is not ulong sector) return;
        // Data goes out as writes; a read of a metadata block (the extent tree) says nothing of the mapping.
        if (e.Payload.Rwbs is not { } rwbs || rwbs.AsSpan().IndexOf('W') < 0) return;
        if (!_recentMaps.TryGetValue(e.Pid, out var recent) || recent.Count == 0 || recent[^1].Dev != dev || _inferredBlockSize.ContainsKey(dev)) return;
        ulong end = sector + (ulong)Math.Max(e.Payload.Sectors ?? 1, 1);
        var current = recent[^1].Extent;
        for (int i = 0; i < recent.Count - 1; i++)
            if (recent[i].Dev == dev && BlockSizesPlacing(sector, end, recent[i].Extent).Count > 0) return; // perhaps an earlier extent's bio
        var fits = BlockSizesPlacing(sector, end, current);
        if (fits.Count != 1) return;
        _inferredBlockSize[dev] = (fits[0], EvidenceLine.Of(e));
        _recentMaps.Remove(e.Pid);
    }

    /// <summary>The block sizes for which sectors [start, end) are whole blocks inside the mapping.</summary>
    private static List<int> BlockSizesPlacing(ulong start, ulong end, Extent x)
    {
        var sizes = new List<int>(1);
        foreach (int bs in BlockSizes)
        {
            ulong per = (ulong)bs >> 9;
            if (start % per == 0 && start / per >= x.Pblk && (end + per - 1) / per <= x.Pblk + x.Len) sizes.Add(bs);
        }
        return sizes;
    }

    /// <summary>A filesystem's block size: as the topology recorded it, else as inferred (ext4-block-size-from-mapped-bio).</summary>
    public int? BlockSize(DeviceNumber? dev, Devices.TopologyTracker topology) =>
        dev is not DeviceNumber d ? null : (int?)topology.BlockSizeOf(d) ?? (_inferredBlockSize.TryGetValue(d, out var x) ? x.BlockSize : null);

    /// <summary>The disk sector of a page's first block, how the block size was known (null: the topology recorded it), and
    /// the mapping's line; null when no mapping covers the page or the block size is not known.</summary>
    public (ulong Sector, EvidenceLine Map, InferenceRule? BlockSizeRule, EvidenceLine? BlockSizeLine)? SectorOf(PageKey page, int? topologyBlockSize)
    {
        if (!_extents.TryGetValue((page.Dev, page.Ino), out var list)) return null;
        int bs;
        InferenceRule? rule = null;
        EvidenceLine? line = null;
        if (topologyBlockSize is int known) bs = known;
        else if (_inferredBlockSize.TryGetValue(page.Dev, out var inferred)) (bs, rule, line) = (inferred.BlockSize, InferenceRules.Ext4BlockSizeFromMappedBio, inferred.Line);
        else return null;
        if (bs <= 0 || bs > KernelPage.Size) return null;
        ulong lblk = (ulong)page.Index * (ulong)(KernelPage.Size / bs);
        int at = LastStartingAtOrBefore(list, lblk);
        if (at < 0) return null;
        var x = list.Values[at];
        if (lblk >= x.Lblk + x.Len) return null;
        return ((x.Pblk + (lblk - x.Lblk)) * (ulong)(bs >> 9), x.Line, rule, line);
    }

    /// <summary>The index of the last extent starting at or before a block, or -1.</summary>
    private static int LastStartingAtOrBefore(SortedList<ulong, Extent> list, ulong lblk)
    {
        var keys = list.Keys;
        int lo = 0, hi = list.Count - 1, found = -1;
        while (lo <= hi)
        {
            int mid = lo + (hi - lo) / 2;
            if (keys[mid] <= lblk) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return found;
    }
}
