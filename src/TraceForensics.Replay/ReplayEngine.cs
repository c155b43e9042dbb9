using TraceForensics.Events.Model;
using TraceForensics.Ingest.Input;
using TraceForensics.Replay.Evidence;
using TraceForensics.Replay.Filesystems;
using TraceForensics.Replay.Pages;
using TraceForensics.Replay.Tasks;

namespace TraceForensics.Replay;

/// <summary>Feeds events, in time order, to the trackers: a switch on the event's meaning calls one tracker verb
/// per event. Everything it knows is in <see cref="State"/>.</summary>
public sealed class ReplayEngine
{
    /// <summary>A replay from no state; <paramref name="limits"/> bounds what it keeps (the defaults when null).</summary>
    public ReplayEngine(StackTable stacks, InputLimits? limits = null) => State = new ReplayState(stacks, limits);

    /// <summary>Goes on from a state (a checkpoint's copy): the events after it are applied to it.</summary>
    public ReplayEngine(ReplayState state) => State = state;

    public ReplayState State { get; }

    /// <summary>Whether a stack shows its task freezing a filesystem, by stack id: stacks are interned and repeat, so
    /// each is read once (the check runs on every stacked sleep).</summary>
    private readonly Dictionary<int, bool> _freezingStacks = new();

    private bool ShowsFreezing(int stackId)
    {
        if (!_freezingStacks.TryGetValue(stackId, out bool freezing))
            _freezingStacks[stackId] = freezing = FreezeTracker.ShowsFreezing(State.Stacks.Get(stackId));
        return freezing;
    }

    public void Apply(in TraceEvent e)
    {
        // A device the event names by a string (bdi btrfs-1, a btrfs fsid) is the filesystem the topology says it is
        // (TopologyTracker.FilesystemNamed): its pages are then the pages the filemap events name by that filesystem's
        // s_dev, one identity; without a topology they stay under the name.
        if (e.Payload.Dev is { IsNamed: true } named && State.Topology.FilesystemNamed(named) is { } fs)
        {
            var onFs = e;
            onFs.Payload.Dev = fs;
            ApplyEvent(onFs);
        }
        else ApplyEvent(e);
    }

    private void ApplyEvent(in TraceEvent e)
    {
        State.NowNs = e.TimestampNs;
        var tasks = State.Tasks;
        switch (e.Kind)
        {
            case EventKind.TraceGap:
                tasks.TraceGap(e.TimestampNs);
                State.Workqueues.TraceGap();
                State.Bios.TraceGap(e.TimestampNs);
                return;
            case EventKind.SchedSwitch:
                tasks.SchedSwitch(e);
                State.Fuse.Switched(e.Pid);
                // Freezing lasts from a sleep inside freeze_super to its next sleep that is not (or whose stack is not seen).
                if (tasks.Get(e.Pid) is { } sleeper && (e.Payload.PrevState & (TaskState.Uninterruptible | TaskState.Sleeping)) != 0)
                    sleeper.FreezingSince = e.StackId != 0 && ShowsFreezing(e.StackId) ? EvidenceLine.Of(e) : null;
                return;
            case EventKind.SchedWaking:
                State.Fuse.Waking(e);
                tasks.Touch(e); tasks.SchedWakeup(e); return;
            case EventKind.SchedWakeup: tasks.Touch(e); tasks.SchedWakeup(e); return;
            case EventKind.ProcessFork:
                tasks.Touch(e);
                tasks.ProcessFork(e);
                if (e.Payload.OtherPid is int child)
                {
                    State.Workqueues.Exited(child); // a new task runs no work item yet
                    State.Bios.Exited(child); // nor has it queued or mapped anything
                    State.BlockMaps.Exited(child);
                }
                return;
            case EventKind.ProcessExit:
                tasks.ProcessExit(e);
                State.Workqueues.Exited(e.Payload.OtherPid ?? e.Pid);
                State.Bios.Exited(e.Payload.OtherPid ?? e.Pid);
                State.BlockMaps.Exited(e.Payload.OtherPid ?? e.Pid);
                return;
            // Queued by one task for another to run: the queueing says nothing of the worker.
            case EventKind.WorkQueued: tasks.Touch(e); State.Workqueues.WorkQueued(e); return;
            // Kernel-log statements about a task, not events it made: they do not make it run.
            case EventKind.LockOwner: tasks.LockOwner(e); return;
            case EventKind.LockHeld: tasks.LockHeld(e); return;
            case EventKind.HungTaskDetail: tasks.HungTaskDetail(e); return;
            case EventKind.LockdepReport: return;
            // The storage topology at capture time: statements about devices, not events of a task.
            case EventKind.LoopBacking: State.Topology.LoopBacking(e); return;
            case EventKind.Mount: State.Topology.Mount(e); return;
            case EventKind.DmDevice: State.Topology.DmDevice(e); return;
            case EventKind.Filesystem: State.Topology.Filesystem(e); return;
            case EventKind.BtrfsFilesystem: State.Topology.Btrfs(e); return;
            case EventKind.FuseDevHolder: State.Topology.FuseDevHolder(e); return;
            case EventKind.ThreadStack: State.Topology.ThreadStack(e); return;
            case EventKind.ProcessHang:
                if (e.Name != "hung_task") tasks.Touch(e);
                tasks.ProcessHang(e);
                return;
        }
        var t = tasks.Touch(e);
        var pages = State.Pages;
        switch (e.Kind)
        {
            case EventKind.ProcessExec: tasks.ProcessExec(e, t); break;
            case EventKind.WritebackWait:
                // A freezer's writeback wait names the frozen filesystem's block device where the filesystem is on one
                // (XFS, ext4: bdi 7:1 is the disk's). btrfs's names the filesystem by its bdi (btrfs-1, or its 0:NN with a
                // topology) while its bios name the block device under it: the same freeze twice, so only block devices
                // name a freeze, as the bios do.
                if (e.Payload.Dev is { IsNamed: false, Major: > 0 } waitedDev) State.Freezes.Io(t, waitedDev, EvidenceLine.Of(e));
                tasks.AnnounceWait(t, new WaitTarget(WaitKind.PageWriteback, pages.Resolve(e.Payload), null, EvidenceLine.Of(e)));
                return;
            case EventKind.PageLockWait:
                var wanted = pages.Resolve(e.Payload);
                tasks.AnnounceWait(t, new WaitTarget(WaitKind.PageLock, wanted, null, EvidenceLine.Of(e)));
                t.PendingLockPage = wanted; // the return probe carries no arguments: it acquires this page
                return;
            case EventKind.LockContentionBegin:
                tasks.AnnounceWait(t, new WaitTarget(WaitKind.KernelLock, null, e.Payload.LockAddress, EvidenceLine.Of(e)));
                return;
            case EventKind.PageLockAcquired:
                if ((pages.Resolve(e.Payload) ?? t.PendingLockPage) is PageKey locked)
                    pages.PageLockAcquired(locked, e.Pid, EvidenceLine.Of(e), observed: true, rule: null);
                t.PendingLockPage = null;
                break;
            case EventKind.PageUnlock:
                if (pages.Resolve(e.Payload) is PageKey unlocked)
                {
                    pages.PageUnlock(unlocked);
                    if (t.FaultPage == unlocked) t.FaultPage = null; // the fault is over
                }
                break;
            case EventKind.WritebackStart: WritebackStart(e, t); break;
            case EventKind.WritebackInode:
                // fs/fs-writeback.c __writeback_single_inode: _start before do_writepages of the inode, the plain event
                // after; fs/ext4/inode.c ext4_writepages: ext4_writepages at its start, ext4_writepages_result at its end
                // (fsync's writeback too, which has no writeback_single_inode).
                if (e.Name is "writeback_single_inode_start" or "ext4_writepages" && e.Payload is { Dev: { } wbDev, Ino: { } wbIno })
                    t.InodeWriteback = (wbDev, wbIno, EvidenceLine.Of(e));
                else if (e.Name is "writeback_single_inode" or "ext4_writepages_result") t.InodeWriteback = null;
                break;
            case EventKind.WritebackEnd:
                if (pages.Resolve(e.Payload) is PageKey ended) pages.WritebackEnd(ended);
                break;
            case EventKind.FuseRequestSend: State.Fuse.Send(e); break;
            case EventKind.FuseRequestEnd: State.Fuse.End(e); break;
            case EventKind.WorkStart: State.Workqueues.WorkStart(e); break;
            case EventKind.WorkEnd: State.Workqueues.WorkEnd(e); break;
            case EventKind.BlockMap: State.BlockMaps.Map(e); break;
            case EventKind.BioQueue:
                State.Bios.BioQueue(e, State.Topology);
                State.BlockMaps.BioQueued(e);
                // A write or a flush (rwbs W, F): a read says nothing of a freeze.
                if (e.Payload.Dev is { } bioDev && e.Payload.Rwbs is { } rwbs && rwbs.AsSpan().IndexOfAny('W', 'F') >= 0)
                {
                    State.Freezes.Io(t, bioDev, EvidenceLine.Of(e));
                    // Reclaim in the worker's context may write elsewhere (swap): only the work item's own I/O counts.
                    if (t.ReclaimDepth == 0 && State.LoopOfWorkqueue(State.Workqueues.Running(t.Pid)?.Workqueue) is { } servedLoop)
                        State.Workqueues.Write(servedLoop, bioDev, EvidenceLine.Of(e));
                }
                break;
            case EventKind.BioRemap:
                State.Bios.Remap(e);
                if (e.Payload is { Dev: { } lower, FromDev: { } upper }) State.Freezes.Remapped(t, upper, lower);
                break;
            case EventKind.Plug: State.Bios.Plug(e); break;
            case EventKind.Unplug: State.Bios.Unplug(e); break;
            case EventKind.RequestComplete:
            case EventKind.BioComplete:
                foreach (var io in State.Bios.Complete(e)) io.Pages.ForEachRun(pages, EndWriteback);
                break;
            case EventKind.ReclaimBegin: tasks.ReclaimBegin(t); break;
            case EventKind.ReclaimEnd: tasks.ReclaimEnd(t); break;
            case EventKind.FilemapFault:
                if (pages.Resolve(e.Payload) is PageKey faulted) tasks.FilemapFault(e, t, faulted);
                break;
            case EventKind.PageCacheAdd: pages.Resolve(e.Payload); break;
            case EventKind.PageCacheDelete: pages.PageCacheDelete(e.Payload); break;
        }
        // The task did something else: what it announced it would wait on is behind it. Not so for what the way to
        // sleep itself emits (io_schedule flushes the task's plug: block events) or allocations.
        if (EndsAnnouncedWait(e.Kind)) t.Wait = null;
    }

    private static readonly Action<PageTracker, PageKey, int> EndWriteback = static (pages, first, count) => pages.WritebackEnd(first, count);

    private static bool EndsAnnouncedWait(EventKind kind) => kind switch
    {
        EventKind.Unknown or EventKind.Plug or EventKind.Unplug or EventKind.BioQueue or EventKind.BioMerge or EventKind.BioSplit
            or EventKind.BioRemap or EventKind.RequestGet or EventKind.RequestInsert or EventKind.RequestIssue
            or EventKind.PageAlloc or EventKind.KswapdWake or EventKind.Function => false,
        _ => true,
    };

    /// <summary>iomap_writeback_folio / iomap_add_to_ioend / writeback-start probes: the pages in the event's range
    /// are under writeback; with a disk address they join the ioend their task is building.</summary>
    private void WritebackStart(in TraceEvent e, TaskRecord t)
    {
        // The payload is read in place; copied (several hundred bytes) only for the rare event whose facts change here.
        EventPayload changed;
        scoped ref readonly var p = ref e.Payload;
        // A probe that names the inode and index but no device, for a page no earlier event bound: the device of the inode
        // its task is writing back, when it is that inode (rule inode-writeback-names-page-device).
        (InferenceRule, EvidenceLine)? deviceFrom = null;
        if (p.Dev is null && p.Ino is ulong probedIno && p.Index is not null && t.InodeWriteback is { } wb && wb.Ino == probedIno
            && State.Pages.Resolve(p) is null)
        {
            changed = p;
            changed.Dev = wb.Dev;
            p = ref changed;
            deviceFrom = (InferenceRules.InodeWritebackNamesPageDevice, wb.Line);
        }
        // ext4 counts in filesystem blocks; the decoder read them as 4 KiB blocks (mke2fs's default block size for
        // filesystems of 512 MiB and more: misc/mke2fs.conf.in); a block size the input shows otherwise rescales them.
        if (e.Name.StartsWith("ext4_", StringComparison.Ordinal) && State.BlockMaps.BlockSize(p.Dev, State.Topology) is int bs && bs != KernelPage.Size
            && p.Index is long lblk)
        {
            changed = p;
            changed.Index = lblk * bs / KernelPage.Size;
            if (changed.Sectors is long s4k) changed.Sectors = Math.Max(1, (s4k >> 3) * bs >> KernelPage.SectorShift);
            p = ref changed;
        }
        var first = State.Pages.Resolve(p);
        if (first is not PageKey start) return;
        // The pages the extent covers, counted in sectors so that no sector count overflows (a page without a size is one);
        // at most InputLimits.MaxPagesPerEvent of them (the largest folio: see there): a longer extent is cut, and said.
        long named = p.Sectors is long s && s > 0 ? (s >> KernelPage.SectorsPerPageShift) + ((s & ((1 << KernelPage.SectorsPerPageShift) - 1)) != 0 ? 1 : 0) : 1;
        int max = State.Limits.MaxPagesPerEvent;
        if (named > max)
            State.LimitsReached.Reach(nameof(InputLimits.MaxPagesPerEvent), max, e,
                $"a writeback extent of {named} pages is cut to its first {max}: the pages after them are not seen under writeback");
        int count = (int)Math.Min(named, max);
        // ext4, btrfs, or a writeback-start probe, gives no disk address: its pages go into the bio being built. On a
        // filesystem on an anonymous device (major 0, UNNAMED_MAJOR in include/uapi/linux/major.h: fs/super.c
        // set_anon_super(), as btrfs has) no bio is ever queued on the page's device: the bio goes to a block device under
        // it, and the builder's next write bio is taken as its submission (BioTracker.BioQueue, rule builder-submits-its-bio).
        // A page named only by a string (a btrfs fsid without a topology) joins nothing.
        bool intoPendingBio = !e.Name.StartsWith("iomap_", StringComparison.Ordinal) && e.Name != "xfs_writepage" && !start.Dev.IsNamed;
        // The pages go into ioends a run at a time (BioTracker.AddToIoend: the pages one ioend takes), each page then
        // under writeback with its ioend: the same as page after page, without an index update per page.
        for (int i = 0; i < count;)
        {
            var key = start with { Index = start.Index + i };
            Bios.IoendRecord? ioend = null;
            int run = count - i;
            if (p.Sector is ulong sector)
                ioend = State.Bios.AddToIoend(e, start.Dev, sector + ((ulong)i << KernelPage.SectorsPerPageShift), 1UL << KernelPage.SectorsPerPageShift, key,
                    run, out run);
            else if (intoPendingBio)
                ioend = State.Bios.AddToPendingBio(e, start.Dev, key, run);
            State.Pages.WritebackStart(key, run, e.Pid, ioend, deviceFrom);
            i += run;
        }
    }
}
