using TraceForensics.Events.Model;
using TraceForensics.Replay.Evidence;
using TraceForensics.Replay.Pages;

namespace TraceForensics.Replay.Bios;

/// <summary>Owns bios and devices: ioends built by writeback (iomap_add_to_ioend: addr/512 is the sector),
/// their submission (block_bio_queue covering their range), bios in flight per device, and completion
/// (block_rq_complete / block_bio_complete covering them), which ends the writeback of their pages. Every lookup an
/// event makes goes through an index (ioends by builder and by sector, bios by sector, plugged bios by task, clones
/// of a remapped bio by the bio), so the cost of an event does not grow with how much is in flight.</summary>
public sealed class BioTracker
{
    private IoendSet _unsubmitted = new(byBuilder: true);
    private IoendSet _inFlightIoends = new(byBuilder: false);
    private readonly Dictionary<DeviceNumber, DeviceRecord> _devices = new();
    private readonly Dictionary<int, EvidenceLine> _plugged = new();
    /// <summary>Per plugged task, the bios it queued under its plug (device, order number), some perhaps completed since.</summary>
    private readonly Dictionary<int, List<(DeviceNumber Dev, long Order)>> _pluggedBios = new();
    /// <summary>Per upper bio a stacking driver remapped (<see cref="InFlightBio.RemappedFrom"/>), how many of the bios
    /// made from it are in flight.</summary>
    private readonly Dictionary<(DeviceNumber Dev, ulong Sector, EvidenceLine Queued), int> _clonesInFlight = new();
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
        clone._unsubmitted = _unsubmitted.Clone(Copy);
        clone._inFlightIoends = _inFlightIoends.Clone(Copy);
        foreach (var (dev, d) in _devices) clone._devices[dev] = d.Clone();
        foreach (var (pid, line) in _plugged) clone._plugged[pid] = line;
        foreach (var (pid, bios) in _pluggedBios) clone._pluggedBios[pid] = new(bios);
        foreach (var (up, n) in _clonesInFlight) clone._clonesInFlight[up] = n;
        foreach (var (pid, q) in _lastQueued) clone._lastQueued[pid] = q;
        ioends = map;
        return clone;
    }

    /// <summary>Ioends built and not submitted, oldest first.</summary>
    public IReadOnlyCollection<IoendRecord> Unsubmitted => _unsubmitted.InOrder;
    /// <summary>The oldest ioend a task built and has not submitted.</summary>
    public IoendRecord? UnsubmittedBuiltBy(int pid) => _unsubmitted.FirstBuiltBy(pid);
    /// <summary>Tasks holding a plug (block_plug without its unplug yet), and where they plugged.</summary>
    public IEnumerable<(int Pid, EvidenceLine Line)> Plugged => _plugged.OrderBy(p => p.Key).Select(p => (p.Key, p.Value));
    /// <summary>Ioends submitted and not completed, in the order they were submitted.</summary>
    public IReadOnlyCollection<IoendRecord> SubmittedNotCompleted => _inFlightIoends.InOrder;
    public IEnumerable<DeviceRecord> Devices => _devices.Values.OrderBy(d => d.Dev);
    public DeviceRecord? Device(DeviceNumber dev) => _devices.GetValueOrDefault(dev);

    /// <summary>The bio <paramref name="pid"/> queued last, while it is still in flight (the same bio, not a later one at
    /// the same sectors).</summary>
    public (DeviceNumber Dev, InFlightBio Bio)? OwnBioInFlight(int pid) =>
        _lastQueued.TryGetValue(pid, out var q) && Device(q.Dev)?.InFlight.QueuedAt(q.Line, last: true) is { } bio ? (q.Dev, bio.Bio) : null;

    /// <summary>A page added to the ioend its task is building; contiguous pages extend the same ioend.</summary>
    public IoendRecord AddToIoend(in TraceEvent e, DeviceNumber dev, ulong sector, ulong sectors, PageKey page) =>
        AddToIoend(e, dev, sector, sectors, page, 1, out _);

    /// <summary>Consecutive pages from <paramref name="page"/>, each <paramref name="sectors"/> long on disk from
    /// <paramref name="sector"/>, added one after the other as <see cref="AddToIoend(in TraceEvent, DeviceNumber, ulong, ulong, PageKey)"/>
    /// adds one: returns the ioend of the first, which took the first <paramref name="added"/> of them (the rest go
    /// through another call). When the builder has no other ioend, the pages after the first extend the same one (each
    /// would find it ending at its sector), so an extent of many pages costs one index update, not one per page.</summary>
    public IoendRecord AddToIoend(in TraceEvent e, DeviceNumber dev, ulong sector, ulong sectors, PageKey page, int pages, out int added)
    {
        var line = EvidenceLine.Of(e);
        ulong step = Math.Max(sectors, 1);
        var ioend = _unsubmitted.LastBuiltByEndingAt(e.Pid, dev, sector);
        if (ioend is null)
        {
            ioend = new IoendRecord(_nextId++, dev, sector, e.Pid, e.Comm, line);
            _unsubmitted.Add(ioend);
        }
        ulong end = Math.Max(ioend.EndSector, sector + step);
        added = 1;
        if (pages > 1 && end == sector + step && sector <= ulong.MaxValue - (ulong)pages * step && _unsubmitted.CountBuiltBy(e.Pid) == 1)
        {
            added = pages;
            end = sector + (ulong)pages * step;
        }
        _unsubmitted.Grow(ioend, end);
        ioend.Pages.Add(page, added, line);
        return ioend;
    }

    /// <summary>A page put under writeback by its task with no disk address known (ext4's writepages, a writeback-start
    /// probe): it joins the bio that task is building on the device, whose sectors are learnt at submission.</summary>
    public IoendRecord AddToPendingBio(in TraceEvent e, DeviceNumber dev, PageKey page) => AddToPendingBio(e, dev, page, 1);

    /// <summary><paramref name="pages"/> consecutive pages from <paramref name="page"/> put under writeback with no disk
    /// address known: all join one bio (after the first, the newest of the builder's bios on the device is the one the
    /// first joined).</summary>
    public IoendRecord AddToPendingBio(in TraceEvent e, DeviceNumber dev, PageKey page, int pages)
    {
        var ioend = _unsubmitted.LastPendingBuiltBy(e.Pid, dev);
        if (ioend is null)
        {
            ioend = new IoendRecord(_nextId++, dev, 0, e.Pid, e.Comm, EvidenceLine.Of(e)) { SectorKnown = false };
            _unsubmitted.Add(ioend);
        }
        ioend.Pages.Add(page, pages, EvidenceLine.Of(e));
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
        long order = device.InFlight.Add(bio);
        if (bio.PluggedBy is int plugger) PluggedUnder(plugger, dev, order);
        // The ioends it submits, newest first: its builder's bios with no sector yet, and those it covers.
        var submitted = new List<(long Order, IoendRecord Io)>();
        foreach (var (o, io) in _unsubmitted.PendingBuiltBy(e.Pid))
            // btrfs maps its bio onto a member device of the filesystem (fs/btrfs/bio.c btrfs_submit_bio -> btrfs_map_block
            // over fs_info->fs_devices): a write to any other device is not it.
            if (io.Dev == dev || (io.Dev.Major == 0 && isWrite && topology is not null && topology.BlockDevicesUnder(io.Dev).Contains(dev)))
                submitted.Add((o, io));
        foreach (var (o, io) in _unsubmitted.Overlapping(dev, start, end))
            if (io.Dev == dev && io.SectorKnown && io.Overlaps(start, end)) submitted.Add((o, io));
        if (submitted.Count > 1) submitted.Sort((a, b) => b.Order.CompareTo(a.Order));
        foreach (var (_, io) in submitted)
        {
            bool builderSubmits = !io.SectorKnown;
            _unsubmitted.Remove(io); // before its sectors change: they are what it is indexed by
            if (builderSubmits)
            {
                io.Dev = dev;
                io.StartSector = start;
                io.EndSector = end;
                io.SectorKnown = true;
                io.SubmissionRule = InferenceRules.BuilderSubmitsItsBio;
            }
            io.Submitted = EvidenceLine.Of(e);
            _inFlightIoends.Add(io);
        }
    }

    /// <summary>The task exited (kernel/exit.c do_exit; a plug does not outlive its task: blk_finish_plug): what was kept
    /// of it says nothing of a later task given its pid.</summary>
    public void Exited(int pid)
    {
        _lastQueued.Remove(pid);
        if (_plugged.Remove(pid)) Dispatched(pid);
    }

    /// <summary>block_plug: bios the task queues are held in its plug until it unplugs.</summary>
    public void Plug(in TraceEvent e) => _plugged[e.Pid] = EvidenceLine.Of(e);

    /// <summary>block_unplug: the task's plugged bios go to the device.</summary>
    public void Unplug(in TraceEvent e)
    {
        if (_plugged.Remove(e.Pid)) Dispatched(e.Pid);
    }

    /// <summary>The bios a task's plug held leave it.</summary>
    private void Dispatched(int pid)
    {
        if (!_pluggedBios.Remove(pid, out var bios)) return;
        foreach (var (dev, order) in bios)
            if (Device(dev) is { } d && d.InFlight.TryGet(order, out var b) && b.PluggedBy == pid) b.PluggedBy = null;
    }

    /// <summary>A bio queued under a task's plug. Entries of bios completed since are dropped now and then, so a task
    /// that never unplugs keeps only what is in flight.</summary>
    private void PluggedUnder(int pid, DeviceNumber dev, long order)
    {
        if (!_pluggedBios.TryGetValue(pid, out var bios)) _pluggedBios[pid] = bios = new();
        bios.Add((dev, order));
        if (bios.Count >= 64 && (bios.Count & (bios.Count - 1)) == 0)
            bios.RemoveAll(x => Device(x.Dev) is not { } d || !d.InFlight.TryGet(x.Order, out var b) || b.PluggedBy != pid);
    }

    /// <summary>block_bio_remap: a stacking driver sent a bio of the upper device to a lower one, which now serves it.</summary>
    public void Remap(in TraceEvent e)
    {
        if (e.Payload is not { Dev: DeviceNumber to, Sector: ulong toSector, Sectors: long n, FromDev: DeviceNumber from, FromSector: ulong fromSector }) return;
        var upper = Device(from)?.InFlight.LastCovering(fromSector);
        var lower = new InFlightBio(toSector, toSector + (ulong)Math.Max(n, 1), EvidenceLine.Of(e)) { IsRead = InFlightBio.IsReadRwbs(e.Payload.Rwbs) };
        if (upper is not null && from != to)
        {
            upper.RemappedTo = (to, toSector);
            upper.RemapLine = EvidenceLine.Of(e);
            lower.RemappedFrom = (from, upper.StartSector, upper.Queued);
            _clonesInFlight[lower.RemappedFrom.Value] = _clonesInFlight.GetValueOrDefault(lower.RemappedFrom.Value) + 1;
        }
        GetDevice(to).InFlight.Add(lower);
    }

    /// <summary>The in-flight bio of a device that covers a sector, if any.</summary>
    public InFlightBio? InFlightAt(DeviceNumber dev, ulong sector) =>
        Device(dev)?.InFlight.LastCovering(sector);

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
        foreach (var (i, b) in inFlight.Overlapping(start, end).ToList()) // last queued first
        {
            // A completion of part of a bio (block_split made two of it: block/blk-merge.c bio_split_to_limits; or a
            // partial completion: block/blk-mq.c blk_update_request) leaves the rest in flight.
            if (start > b.StartSector && end < b.EndSector) continue; // a middle part: the bio is still in flight
            if (start > b.StartSector) { inFlight.Replace(i, b with { EndSector = start }); continue; }
            if (end < b.EndSector) { inFlight.Replace(i, b with { StartSector = end }); continue; }
            (ended ??= new()).Add(b);
            inFlight.Remove(i);
            Ended(b);
        }
        List<IoendRecord>? done = null;
        CompleteIoends(dev, start, end, EvidenceLine.Of(e), ref done);
        if (ended is not null)
            foreach (var bio in ended) CompleteRemappedFrom(bio, EvidenceLine.Of(e), ref done);
        return done ?? (IReadOnlyList<IoendRecord>)[];
    }

    private void CompleteIoends(DeviceNumber dev, ulong start, ulong end, EvidenceLine line, ref List<IoendRecord>? done)
    {
        foreach (var (_, io) in _inFlightIoends.Overlapping(dev, start, end)) // last submitted first
        {
            if (io.Dev == dev && io.Overlaps(start, end))
            {
                io.Completed = line;
                _inFlightIoends.Remove(io);
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
        if (_clonesInFlight.ContainsKey(up)) return; // another clone of it is still in flight
        if (device.InFlight.QueuedAt(up.Queued, last: false) is not var (i, upper)) return;
        device.InFlight.Remove(i);
        Ended(upper);
        device.LastCompletion = line;
        device.CompletedCount++;
        CompleteIoends(up.Dev, upper.StartSector, upper.EndSector, line, ref done);
        CompleteRemappedFrom(upper, line, ref done);
    }

    /// <summary>A bio left the device's in-flight bios: it is no longer a clone in flight of the bio it was made from.</summary>
    private void Ended(InFlightBio bio)
    {
        if (bio.RemappedFrom is not { } up || !_clonesInFlight.TryGetValue(up, out int n)) return;
        if (n <= 1) _clonesInFlight.Remove(up);
        else _clonesInFlight[up] = n - 1;
    }

    private DeviceRecord GetDevice(DeviceNumber dev)
    {
        if (!_devices.TryGetValue(dev, out var d)) _devices[dev] = d = new DeviceRecord(dev);
        return d;
    }
}
