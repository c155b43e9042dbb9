using TraceForensics.Events.Model;
using TraceForensics.Replay.Evidence;
using TraceForensics.Replay.Pages;

namespace TraceForensics.Replay.Filesystems;

/// <summary>Owns what a filesystem said about where file blocks are on disk (ext4's block mappers: fs/ext4/extents.c
/// ext4_ext_map_blocks and fs/ext4/indirect.c ext4_ind_map_blocks trace their exit with lblk, pblk and len), and each
/// filesystem's block size, so that a page under writeback on a filesystem that names no sector for its data (ext4)
/// has a sector on its device: sector = pblk * (blocksize / 512) (fs/ext4/page-io.c io_submit_init_bio:
/// bi_sector = bh->b_blocknr * (bh->b_size >> 9)). The block size comes from the capture-time topology when it records
/// it, else from the first bio a task queues on the device after mapping blocks there (rule
/// ext4-block-size-from-mapped-bio); without either, no page gets a sector.</summary>
public sealed class BlockMapTracker
{
    private readonly record struct Extent(ulong Lblk, ulong Pblk, ulong Len, EvidenceLine Line);

    private Dictionary<(DeviceNumber Dev, ulong Ino), List<Extent>> _extents = new();
    private Dictionary<DeviceNumber, (int BlockSize, EvidenceLine Line)> _inferredBlockSize = new();
    /// <summary>Per task: the last mapping it made, until its next bio on that device says the block size.</summary>
    private Dictionary<int, (DeviceNumber Dev, Extent Extent)> _lastMap = new();

    /// <summary>Block sizes ext4 supports (1 KiB to 64 KiB; fs/ext4/super.c ext4_load_super, EXT4_MAX_BLOCK_LOG_SIZE),
    /// limited here to those no larger than a page.</summary>
    private static readonly int[] BlockSizes = [1024, 2048, 4096];

    internal BlockMapTracker Clone() => new()
    {
        _extents = _extents.ToDictionary(kv => kv.Key, kv => new List<Extent>(kv.Value)),
        _inferredBlockSize = new(_inferredBlockSize),
        _lastMap = new(_lastMap),
    };

    /// <summary>ext4_ext_map_blocks_exit / ext4_ind_map_blocks_exit: blocks [lblk, lblk+len) of the inode are at pblk.
    /// A mapping that mapped nothing (ret 0: a hole) says nothing.</summary>
    public void Map(in TraceEvent e)
    {
        if (e.Payload is not { Dev: DeviceNumber dev, Ino: ulong ino, Index: long lblk, Sector: ulong pblk, Count: long len } || len <= 0 || lblk < 0) return;
        var extent = new Extent((ulong)lblk, pblk, (ulong)len, EvidenceLine.Of(e));
        if (!_extents.TryGetValue((dev, ino), out var list)) _extents[(dev, ino)] = list = new();
        // A later mapping of the same blocks replaces an earlier one (the blocks were reallocated).
        list.RemoveAll(x => x.Lblk < extent.Lblk + extent.Len && extent.Lblk < x.Lblk + x.Len);
        list.Add(extent);
        _lastMap[e.Pid] = (dev, extent);
    }

    /// <summary>block_bio_queue by a task that has just mapped blocks on that device: the bio's first sector is pblk + k of
    /// that mapping in units of blocksize/512, for exactly one supported block size, or the bio says nothing.</summary>
    public void BioQueued(in TraceEvent e)
    {
        if (e.Payload.Dev is not DeviceNumber dev || e.Payload.Sector is not ulong sector) return;
        // Data goes out as writes; a read of a metadata block (the extent tree) says nothing of the mapping.
        if (e.Payload.Rwbs is not { } rwbs || rwbs.AsSpan().IndexOf('W') < 0) return;
        if (!_lastMap.Remove(e.Pid, out var last) || last.Dev != dev || _inferredBlockSize.ContainsKey(dev)) return;
        int found = 0, size = 0;
        foreach (int bs in BlockSizes)
        {
            ulong per = (ulong)bs >> 9;
            if (sector % per == 0 && sector / per >= last.Extent.Pblk && sector / per < last.Extent.Pblk + last.Extent.Len) { found++; size = bs; }
        }
        if (found == 1) _inferredBlockSize[dev] = (size, EvidenceLine.Of(e));
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
        foreach (var x in list)
            if (x.Lblk <= lblk && lblk < x.Lblk + x.Len)
                return ((x.Pblk + (lblk - x.Lblk)) * (ulong)(bs >> 9), x.Line, rule, line);
        return null;
    }
}
