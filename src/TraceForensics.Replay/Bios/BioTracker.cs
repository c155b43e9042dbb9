using TraceForensics.Events.Model;
using TraceForensics.Replay.Evidence;
using TraceForensics.Replay.Pages;

namespace TraceForensics.Replay.Bios;

/// <summary>Owns bios and devices: ioends built by writeback (iomap_add_to_ioend: addr/512 is the sector),
/// their submission (block_bio_queue covering their range), bios in flight per device, and completion
/// (block_rq_complete / block_bio_complete covering them), which ends the writeback of their pages.</summary>
public sealed class BioTracker
{
    private readonly List<IoendRecord> _unsubmitted = new();
    private readonly List<IoendRecord> _inFlightIoends = new();
    private readonly Dictionary<DeviceNumber, DeviceRecord> _devices = new();
    private readonly Dictionary<int, EvidenceLine> _plugged = new();
    /// <summary>Per task, the last bio it queued: where a task waiting on its own I/O (a buffer head) waits.</summary>
    private readonly Dictionary<int, (DeviceNumber Dev, ulong Sector, EvidenceLine Line)> _lastQueued = new();
    private int _nextId = 1;

    /// <summary>When the input last lost events (ftrace's "CPU:N [LOST M EVENTS]"): completions before it may be missing,
    /// so no "has completed none since" reaches back across it. Null when it lost none.</summary>
    public long? LastGapNs { get; private set; }

    /// <summary>The trace lost events here.</summary>
    public void TraceGap(long ts) => LastGapNs = ts;

    /// <summary>A deep copy; <paramref name="ioends"/> maps each ioend to its copy, for the pages that point at them.</summary>
    internal BioTracker Clone(out Dictionary<IoendRecord, IoendRecord> ioends)
    {
        var map = new Dictionary<IoendRecord, IoendRecord>(ReferenceEqualityComparer.Instance);
        IoendRecord Copy(IoendRecord io) => map.TryGetValue(io, out var c) ? c : map[io] = io.Clone();
        var clone = new BioTracker { _nextId = _nextId, LastGapNs = LastGapNs };
        clone._unsubmitted.AddRange(_unsubmitted.Select(Copy));
        clone._inFlightIoends.AddRange(_inFlightIoends.Select(Copy));
        foreach (var (dev, d) in _devices) clone._devices[dev] = d.Clone();
        foreach (var (pid, line) in _plugged) clone._plugged[pid] = line;
        foreach (var (pid, q) in _lastQueued) clone._lastQueued[pid] = q;
        ioends = map;
        return clone;
    }

    public IReadOnlyList<IoendRecord> Unsubmitted => _unsubmitted;
    /// <summary>Tasks holding a plug (block_plug without its unplug yet), and where they plugged.</summary>
    public IEnumerable<(int Pid, EvidenceLine Line)> Plugged => _plugged.OrderBy(p => p.Key).Select(p => (p.Key, p.Value));
    public IReadOnlyList<IoendRecord> SubmittedNotCompleted => _inFlightIoends;
    public IEnumerable<DeviceRecord> Devices => _devices.Values.OrderBy(d => d.Dev);
    public DeviceRecord? Device(DeviceNumber dev) => _devices.GetValueOrDefault(dev);

    /// <summary>The bio <paramref name="pid"/> queued last, while it is still in flight (the same bio, not a later one at
    /// the same sectors).</summary>
    public (DeviceNumber Dev, InFlightBio Bio)? OwnBioInFlight(int pid) =>
        _lastQueued.TryGetValue(pid, out var q) && Device(q.Dev)?.InFlight.LastOrDefault(b => b.Queued == q.Line) is { } bio ? (q.Dev, bio) : null;

    /// <summary>A page added to the ioend its task is building; contiguous pages extend the same ioend.</summary>
    public IoendRecord AddToIoend(in TraceEvent e, DeviceNumber dev, ulong sector, ulong sectors, PageKey page)
    {
        IoendRecord? ioend = null;
        for (int i = _unsubmitted.Count - 1; i >= 0; i--)
        {
            var c = _unsubmitted[i];
            if (c.BuilderPid == e.Pid && c.Dev == dev && c.EndSector == sector) { ioend = c; break; }
        }
        if (ioend is null)
        {
            ioend = new IoendRecord(_nextId++, dev, sector, e.Pid, e.Comm, EvidenceLine.Of(e));
            _unsubmitted.Add(ioend);
        }
        ioend.EndSector = Math.Max(ioend.EndSector, sector + Math.Max(sectors, 1));
        ioend.Pages.Add(page);
        ioend.PageLines.Add(EvidenceLine.Of(e));
        return ioend;
    }

    /// <summary>A page put under writeback by its task with no disk address known (ext4's writepages, a writeback-start
    /// probe): it joins the bio that task is building on the device, whose sectors are learnt at submission.</summary>
    public IoendRecord AddToPendingBio(in TraceEvent e, DeviceNumber dev, PageKey page)
    {
        int builder = e.Pid;
        var ioend = _unsubmitted.LastOrDefault(c => c.BuilderPid == builder && c.Dev == dev && !c.SectorKnown);
        if (ioend is null)
        {
            ioend = new IoendRecord(_nextId++, dev, 0, e.Pid, e.Comm, EvidenceLine.Of(e)) { SectorKnown = false };
            _unsubmitted.Add(ioend);
        }
        ioend.Pages.Add(page);
        ioend.PageLines.Add(EvidenceLine.Of(e));
        return ioend;
    }

    /// <summary>block_bio_queue: the bio left its builder; ioends it covers are submitted. A bio built for a filesystem on
    /// an anonymous device (btrfs) is submitted by its builder's next write bio on one of the block devices the topology
    /// puts under that filesystem (<paramref name="topology"/>; without it, on none).</summary>
    public void BioQueue(in TraceEvent e, Devices.TopologyTracker? topology = null)
    {
        if (e.Payload.Dev is not DeviceNumber dev || e.Payload.Sector is not ulong start || e.Payload.Sectors is not long n || n <= 0) return;
        ulong end = start + (ulong)n;
        var device = GetDevice(dev);
        bool isWrite = e.Payload.Rwbs is { } rwbs && rwbs.AsSpan().IndexOf('W') >= 0;
        var bio = new InFlightBio(start, end, EvidenceLine.Of(e)) { IsRead = InFlightBio.IsReadRwbs(e.Payload.Rwbs) };
        _lastQueued[e.Pid] = (dev, start, bio.Queued);
        if (_plugged.TryGetValue(e.Pid, out var plug)) { bio.PluggedBy = e.Pid; bio.PlugLine = plug; }
        device.InFlight.Add(bio);
        for (int i = _unsubmitted.Count - 1; i >= 0; i--)
        {
            var io = _unsubmitted[i];
            // btrfs maps its bio onto a member device of the filesystem (fs/btrfs/bio.c btrfs_submit_bio -> btrfs_map_block
            // over fs_info->fs_devices): a write to any other device is not it.
            bool builderSubmits = !io.SectorKnown && io.BuilderPid == e.Pid
                && (io.Dev == dev || (io.Dev.Major == 0 && isWrite && topology is not null && topology.BlockDevicesUnder(io.Dev).Contains(dev)));
            if (builderSubmits || (io.Dev == dev && io.SectorKnown && io.Overlaps(start, end)))
            {
                if (builderSubmits)
                {
                    io.Dev = dev;
                    io.StartSector = start;
                    io.EndSector = end;
                    io.SectorKnown = true;
                    io.SubmissionRule = InferenceRules.BuilderSubmitsItsBio;
                }
                io.Submitted = EvidenceLine.Of(e);
                _unsubmitted.RemoveAt(i);
                _inFlightIoends.Add(io);
            }
        }
    }

    /// <summary>The task exited (kernel/exit.c do_exit; a plug does not outlive its task: blk_finish_plug): what was kept
    /// of it says nothing of a later task given its pid.</summary>
    public void Exited(int pid)
    {
        _lastQueued.Remove(pid);
        if (!_plugged.Remove(pid)) return;
        foreach (var d in _devices.Values)
            foreach (var b in d.InFlight)
                if (b.PluggedBy == pid) b.PluggedBy = null;
    }

    /// <summary>block_plug: bios the task queues are held in its plug until it unplugs.</summary>
    public void Plug(in TraceEvent e) => _plugged[e.Pid] = EvidenceLine.Of(e);

    /// <summary>block_unplug: the task's plugged bios go to the device.</summary>
    public void Unplug(in TraceEvent e)
    {
        if (!_plugged.Remove(e.Pid)) return;
        foreach (var d in _devices.Values)
            foreach (var b in d.InFlight)
                if (b.PluggedBy == e.Pid) b.PluggedBy = null;
    }

    /// <summary>block_bio_remap: a stacking driver sent a bio of the upper device to a lower one, which now serves it.</summary>
    public void Remap(in TraceEvent e)
    {
        if (e.Payload is not { Dev: DeviceNumber to, Sector: ulong toSector, Sectors: long n, FromDev: DeviceNumber from, FromSector: ulong fromSector }) return;
        var upper = Device(from)?.InFlight.LastOrDefault(b => b.StartSector <= fromSector && fromSector < b.EndSector);
        var lower = new InFlightBio(toSector, toSector + (ulong)Math.Max(n, 1), EvidenceLine.Of(e)) { IsRead = InFlightBio.IsReadRwbs(e.Payload.Rwbs) };
        if (upper is not null && from != to)
        {
            upper.RemappedTo = (to, toSector);
            upper.RemapLine = EvidenceLine.Of(e);
            lower.RemappedFrom = (from, upper.StartSector, upper.Queued);
        }
        GetDevice(to).InFlight.Add(lower);
    }

    /// <summary>The in-flight bio of a device that covers a sector, if any.</summary>
    public InFlightBio? InFlightAt(DeviceNumber dev, ulong sector) =>
        Device(dev)?.InFlight.LastOrDefault(b => b.StartSector <= sector && sector < b.EndSector);

    /// <summary>A request or bio completed: bios and ioends it covers are done. Returns the ioends completed.</summary>
    public IReadOnlyList<IoendRecord> Complete(in TraceEvent e)
    {
        if (e.Payload.Dev is not DeviceNumber dev || e.Payload.Sector is not ulong start || e.Payload.Sectors is not long n || n <= 0) return [];
        ulong end = start + (ulong)n;
        var device = GetDevice(dev);
        device.LastCompletion = EvidenceLine.Of(e);
        device.CompletedCount++;
        var inFlight = device.InFlight;
        List<InFlightBio>? ended = null;
        for (int i = inFlight.Count - 1; i >= 0; i--)
        {
            var b = inFlight[i];
            if (b.StartSector >= end || b.EndSector <= start) continue;
            // A completion of part of a bio (block_split made two of it: block/blk-merge.c bio_split_to_limits; or a
            // partial completion: block/blk-mq.c blk_update_request) leaves the rest in flight.
            if (start > b.StartSector && end < b.EndSector) continue; // a middle part: the bio is still in flight
            if (start > b.StartSector) { inFlight[i] = b with { EndSector = start }; continue; }
            if (end < b.EndSector) { inFlight[i] = b with { StartSector = end }; continue; }
            (ended ??= new()).Add(b);
            inFlight.RemoveAt(i);
        }
        List<IoendRecord>? done = null;
        CompleteIoends(dev, start, end, EvidenceLine.Of(e), ref done);
        if (ended is not null)
            foreach (var bio in ended) CompleteRemappedFrom(bio, EvidenceLine.Of(e), ref done);
        return done ?? (IReadOnlyList<IoendRecord>)[];
    }

    private void CompleteIoends(DeviceNumber dev, ulong start, ulong end, EvidenceLine line, ref List<IoendRecord>? done)
    {
        for (int i = _inFlightIoends.Count - 1; i >= 0; i--)
        {
            var io = _inFlightIoends[i];
            if (io.Dev == dev && io.Overlaps(start, end))
            {
                io.Completed = line;
                _inFlightIoends.RemoveAt(i);
                (done ??= new()).Add(io);
            }
        }
    }

    /// <summary>A remapped bio completed on the lower device: the upper device's bio it was made from is done once none
    /// of the bios made from it is still in flight (drivers/md/dm.c clone_endio -> dm_io_dec_pending: the original bio
    /// ends when its last clone does), and so on up a stack of remaps.</summary>
    private void CompleteRemappedFrom(InFlightBio lower, EvidenceLine line, ref List<IoendRecord>? done)
    {
        if (lower.RemappedFrom is not { } up || Device(up.Dev) is not { } device) return;
        foreach (var d in _devices.Values)
            foreach (var b in d.InFlight)
                if (b.RemappedFrom == up) return; // another clone of it is still in flight
        int i = device.InFlight.FindIndex(b => b.Queued == up.Queued);
        if (i < 0) return;
        var upper = device.InFlight[i];
        device.InFlight.RemoveAt(i);
        device.LastCompletion = line;
        device.CompletedCount++;
        CompleteIoends(up.Dev, upper.StartSector, upper.EndSector, line, ref done);
        CompleteRemappedFrom(upper, line, ref done);
    }

    private DeviceRecord GetDevice(DeviceNumber dev)
    {
        if (!_devices.TryGetValue(dev, out var d)) _devices[dev] = d = new DeviceRecord(dev);
        return d;
    }
}
