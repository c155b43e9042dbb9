using TraceForensics.Events.Model;
using TraceForensics.Replay.Evidence;
using TraceForensics.Replay.Tasks;

namespace TraceForensics.Replay.Filesystems;

/// <summary>Owns which filesystems the input shows being frozen (fsfreeze, xfs_freeze, a block-device freeze). There
/// is no freeze tracepoint: freezing a filesystem syncs it first (fs/super.c freeze_super -> sync_filesystem, then the
/// filesystem's own freeze_fs, e.g. xfs_fs_freeze -> xfs_log_quiesce), so the task seen sleeping inside freeze_super
/// writes to the device of the filesystem it freezes: its write or flush bios, or its writeback waits, name that
/// device. A device is never guessed from numbers. Thaw is not traced either: a freeze is taken to last to the end
/// of the input.</summary>
public sealed class FreezeTracker
{
    private readonly Dictionary<DeviceNumber, FreezeRecord> _frozen = new();
    /// <summary>Per freezer and freezing interval: the device its I/O named, and the lower devices its bios were remapped to
    /// (the same filesystem's I/O, one layer down: dm, md).</summary>
    private readonly Dictionary<int, (EvidenceLine Since, DeviceNumber Dev, HashSet<DeviceNumber> Lower)> _named = new();
    /// <summary>Freezers whose I/O in one freezing interval named two unrelated devices: their freeze names none.</summary>
    private readonly HashSet<(int Pid, EvidenceLine Since)> _ambiguous = new();

    /// <summary>Frozen filesystems, by device.</summary>
    public IReadOnlyCollection<FreezeRecord> Frozen => _frozen.Values;

    /// <summary>A stack frame that shows its task freezing a filesystem.</summary>
    public static bool ShowsFreezing(System.Collections.Immutable.ImmutableArray<string> stack) =>
        StackReader.Contains(stack, "freeze_super", "freeze_bdev", "bdev_freeze", "fs_bdev_freeze");

    /// <summary>I/O (a write or flush bio queued, a writeback wait) on <paramref name="dev"/> by <paramref name="t"/>: when the
    /// task was last seen freezing, the filesystem on that device is being frozen.</summary>
    public void Io(TaskRecord t, DeviceNumber dev, EvidenceLine line)
    {
        if (t.FreezingSince is not { } stack || _ambiguous.Contains((t.Pid, stack))) return;
        if (_named.TryGetValue(t.Pid, out var named) && named.Since == stack)
        {
            if (dev == named.Dev || named.Lower.Contains(dev)) return;
            // Two unrelated devices from one freezer: which one it freezes is not known.
            _ambiguous.Add((t.Pid, stack));
            if (_frozen.TryGetValue(named.Dev, out var f) && f.FreezerPid == t.Pid && f.FreezerStack == stack) _frozen.Remove(named.Dev);
            return;
        }
        _named[t.Pid] = (stack, dev, new HashSet<DeviceNumber>());
        _frozen.TryAdd(dev, new FreezeRecord(dev, t.Pid, t.Comm, stack, line));
    }

    /// <summary>block_bio_remap by a freezer: the lower device carries the same filesystem's I/O.</summary>
    public void Remapped(TaskRecord t, DeviceNumber upper, DeviceNumber lower)
    {
        if (t.FreezingSince is { } stack && _named.TryGetValue(t.Pid, out var named) && named.Since == stack && (named.Dev == upper || named.Lower.Contains(upper)))
            named.Lower.Add(lower);
    }

    /// <summary>A deep copy (records are immutable).</summary>
    internal FreezeTracker Clone()
    {
        var clone = new FreezeTracker();
        foreach (var (dev, f) in _frozen) clone._frozen[dev] = f;
        foreach (var (pid, n) in _named) clone._named[pid] = (n.Since, n.Dev, new HashSet<DeviceNumber>(n.Lower));
        clone._ambiguous.UnionWith(_ambiguous);
        return clone;
    }
}
