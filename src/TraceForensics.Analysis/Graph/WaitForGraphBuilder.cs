using System.Collections.Immutable;
using TraceForensics.Events.Model;
using TraceForensics.Ingest.Formats;
using TraceForensics.Replay;
using TraceForensics.Replay.Evidence;
using TraceForensics.Replay.Pages;
using TraceForensics.Replay.Tasks;
using Rules = TraceForensics.Replay.Evidence.InferenceRules;

namespace TraceForensics.Analysis.Graph;

/// <summary>Builds the wait-for graph of the replayed state: an edge out of every blocked task (to what it announced
/// it waits on, or what its stack shows), and out of every object to what it waits on in turn (writeback to its
/// bio, an unsubmitted bio to its builder, a submitted bio to its device, a loop device to its worker, a page lock
/// to its holder).</summary>
public static class WaitForGraphBuilder
{
    public static WaitForGraph Build(ReplayState s)
    {
        var g = new WaitForGraph();
        var blocked = s.Tasks.Blocked.OrderBy(t => t.Pid).ToList();
        foreach (var t in blocked) AddTask(g, s, t, () => blocked);
        return g;
    }

    /// <summary>The edge out of blocked task <paramref name="t"/>, as <see cref="Build"/> would add it (only a task's own
    /// wait adds an edge out of it). <paramref name="blocked"/> gives the blocked tasks by pid, asked for only by the
    /// waits that look at other tasks.</summary>
    public static WaitEdge? EdgeOut(ReplayState s, TaskRecord t, Func<List<TaskRecord>> blocked)
    {
        var g = new WaitForGraph();
        AddTask(g, s, t, blocked);
        return g.Out(Task(t)) is [var first, ..] ? first : null;
    }

    public static ImmutableArray<string> SleepStack(ReplayState s, TaskRecord t) => s.Stacks.Get(SleepStackId(t));

    /// <summary>The stack of a task's sleep: the one its switch into the sleep carried, else the last one seen for it.</summary>
    public static int SleepStackId(TaskRecord t) => t.SleepStackId != 0 ? t.SleepStackId : t.LastStackId;

    /// <summary>What the stack of a task's sleep says, read once per stack.</summary>
    public static StackReading SleepReading(ReplayState s, TaskRecord t) => s.StackReadings.Get(SleepStackId(t));

    /// <summary>The node of a task record, labelled with its comm now.</summary>
    public static TaskNode Task(TaskRecord t) => new(t.Pid, t.Generation, t.Comm);

    /// <summary>The node of the task with <paramref name="pid"/> now (labelled by pid alone if the input never showed it).</summary>
    public static TaskNode Task(ReplayState s, int pid) => s.Tasks.Get(pid) is { } t ? Task(t) : new TaskNode(pid, 0, null);

    internal static List<EvidenceLine> Lines(params EvidenceLine?[] lines) =>
        lines.Where(l => l is not null).Select(l => l!.Value).Distinct().OrderBy(l => l.Input).ThenBy(l => l.Line).ToList();

    private static void AddTask(WaitForGraph g, ReplayState s, TaskRecord t, Func<List<TaskRecord>> blocked)
    {
        var from = Task(t);
        var stackWait = SleepReading(s, t).Wait;
        var wait = t.Wait;
        var stackRule = new RuleUse(Rules.BlockedStack, stackWait.Witness);

        if (wait is { Kind: WaitKind.PageWriteback, Page: PageKey wb })
        {
            g.Add(new WaitEdge(from, new WritebackNode(wb), Relation.WaitsForWriteback, null, Lines(wait.Line, t.SleepLine)));
            AddWriteback(g, s, wb, t);
            return;
        }
        if (wait is { Kind: WaitKind.PageLock, Page: PageKey pl })
        {
            g.Add(new WaitEdge(from, new PageLockNode(pl), Relation.WaitsForPageLock, null, Lines(wait.Line, t.SleepLine)));
            AddPageLock(g, s, pl, blocked);
            return;
        }
        if (t.Blocker is { } blocker)
        {
            // khungtaskd's own guess at the owner ("likely owned by"): from the kernel, but a guess.
            WaitNode to = blocker.OwnerPid is int owner ? Task(s, owner) : new OwnerNotFoundNode(blocker.Kind);
            var relation = blocker.Kind switch
            {
                LockOwnerKind.RwSemaphore => Relation.WaitsForRwsemOwner,
                LockOwnerKind.Semaphore => Relation.WaitsForSemaphoreOwner,
                LockOwnerKind.Mutex => Relation.WaitsForMutexOwner,
                _ => Relation.WaitsForLockOwner,
            };
            g.Add(new WaitEdge(from, to, relation, Rules.HungTaskLikelyOwner, Lines(blocker.Line, t.SleepLine)));
            return;
        }
        if (stackWait.Kind is WaitKind.Mutex or WaitKind.RwSemaphore or WaitKind.Semaphore && t.HeldLocks.Count > 0
            && HolderFromHeldLocks(s, t) is { } found)
        {
            // The lock a task waits for is the last of its held-locks list; the task whose list holds the same
            // address (not as its own last, awaited, entry) holds it.
            var wanted = t.HeldLocks[^1];
            var node = KernelLockNode.Of(wanted.Class, wanted.Address);
            g.Add(new WaitEdge(from, node, WaitRelation(stackWait.Kind), null, Lines(wanted.Line, t.SleepLine)));
            g.Add(new WaitEdge(node, Task(found.Holder), Relation.HeldBy, Rules.HeldLocksList, Lines(found.Line)));
            return;
        }
        if (stackWait.Kind == WaitKind.FrozenFilesystem)
        {
            AddFrozenWait(g, s, t, from, wait, stackWait);
            return;
        }
        if (stackWait.Kind is WaitKind.Journal or WaitKind.Io && s.Bios.OwnBioInFlight(t.Pid) is { } own
            && StackReader.WaitsOnBufferIo(SleepStack(s, t)))
        {
            var bio = new BioNode(own.Dev, own.Bio.StartSector, 0);
            g.Add(new WaitEdge(from, bio, Relation.WaitsForBio, new RuleUse(Rules.BufferIoWaitsOwnBio, "bit_wait_io"), Lines(own.Bio.Queued, t.SleepLine)));
            AddBioInFlight(g, s, bio, own.Bio, own.Dev);
            return;
        }
        if (RequestServers.AddFuseRequestWait(g, s, t, from)) return;
        if (wait is { Kind: WaitKind.KernelLock, LockAddress: ulong addr })
        {
            g.Add(new WaitEdge(from, KernelLockNode.At(addr), Relation.WaitsForLock, null, Lines(wait.Line, t.SleepLine)));
            return;
        }
        switch (stackWait.Kind)
        {
            case WaitKind.PageWriteback:
            case WaitKind.PageLock:
                // The stack says a page but no event said which.
                // One node per waiter: two unnamed pages are not the same page.
                WaitNode unknownPage = stackWait.Kind == WaitKind.PageLock ? new PageLockNode(null, t.Pid) : new WritebackNode(null, t.Pid);
                g.Add(new WaitEdge(from, unknownPage, stackWait.Kind == WaitKind.PageLock ? Relation.WaitsForPageLock : Relation.WaitsForWriteback,
                    stackRule, Lines(t.SleepLine)));
                // A kernel log names no pages; when exactly one other blocked task's stack shows it sleeping with a page lock
                // held (a row of the page-lock table: a fault past its handler, hugetlb_wp, a write_begin past its lookup,
                // truncate, migration), that task is the only candidate holder; the row is the witness.
                if (stackWait.Kind == WaitKind.PageLock)
                {
                    var holders = blocked().Where(o => o != t).Select(o => (Task: o, Row: SleepReading(s, o).PageLockHeld))
                        .Where(h => h.Row is not null).Take(2).ToList();
                    if (holders.Count == 1)
                        g.Add(new WaitEdge(unknownPage, Task(holders[0].Task), Relation.HeldBy, new RuleUse(Rules.SolePageLockHolder, holders[0].Row!.Function),
                            Lines(holders[0].Task.SleepLine)));
                }
                break;
            case WaitKind.Mutex:
            case WaitKind.RwSemaphore:
            case WaitKind.Semaphore:
            case WaitKind.Completion:
            case WaitKind.Journal:
            case WaitKind.DirtyThrottle:
            case WaitKind.BlockTags:
                // A kernel log's held-locks list names the lock a blocked task waits for (its last entry).
                bool named = stackWait.Kind is WaitKind.Mutex or WaitKind.RwSemaphore or WaitKind.Semaphore && t.HeldLocks.Count > 0;
                g.Add(new WaitEdge(from, named ? KernelLockNode.Of(t.HeldLocks[^1].Class, t.HeldLocks[^1].Address)
                        : new KernelLockNode(stackWait.BlockedIn ?? stackWait.Witness ?? "unknown"),
                    WaitRelation(stackWait.Kind), named ? null : stackRule, Lines(named ? t.HeldLocks[^1].Line : null, t.SleepLine)));
                break;
        }
    }

    /// <summary>A task asleep in a filesystem's freeze protection waits for a frozen filesystem. Which one is named only
    /// from evidence: for a loop worker running loop D's work item, the filesystem D's backing file lives on (the
    /// capture-time topology); else when the input shows exactly one filesystem being frozen (its freezer's own I/O
    /// names its device). Otherwise the node says the device is unknown, and why.</summary>
    private static void AddFrozenWait(WaitForGraph g, ReplayState s, TaskRecord t, TaskNode from, WaitTarget? wait, StackWait stackWait)
    {
        var loop = ServedLoop(s, t) ?? (StackPairedLoop(s, t) is { } paired ? (paired, t.SleepLine ?? default) : null);
        if (loop is { } served && s.Topology.BackingFsOf(served.Dev) is { } backing)
        {
            g.Add(new WaitEdge(from, new FrozenFsNode(backing.BackingFs), Relation.WaitsForFrozenFs, new RuleUse(Rules.LoopBackingFileFsIsFrozen, stackWait.Witness),
                Lines(wait?.Line, t.SleepLine, served.Line, backing.Evidence)));
            return;
        }
        if (ServedLoop(s, t) is { } item && s.Workqueues.BackingSeenInWork(item.Dev) is { } seen)
        {
            g.Add(new WaitEdge(from, new FrozenFsNode(seen.Fs), Relation.WaitsForFrozenFs, new RuleUse(Rules.LoopWorkItemIoNamesBackingFs, stackWait.Witness),
                Lines(wait?.Line, t.SleepLine, item.Line, seen.Line)));
            return;
        }
        var frozen = s.Freezes.Frozen;
        // One freeze seen names the wait's filesystem, unless the topology says the loops' backing files live elsewhere.
        if (frozen.Count == 1 && frozen.First() is var f && (!s.Topology.IsKnown || s.Topology.Loops.Any(l => l.BackingFs == f.Dev)))
        {
            g.Add(new WaitEdge(from, new FrozenFsNode(f.Dev), Relation.WaitsForFrozenFs, new RuleUse(Rules.FreezeIoNamesFrozenFs, stackWait.Witness),
                Lines(wait?.Line, t.SleepLine, f.FreezerStack, f.Io)));
            return;
        }
        var why = frozen.Count == 0
            ? "no freeze in the input"
            : frozen.Count == 1
            ? $"the only freeze seen was of {frozen.First().Dev}, where the topology puts no loop's backing file"
            : $"{frozen.Count} filesystems were frozen ({string.Join(", ", frozen.Select(x => x.Dev.ToString()).Order(StringComparer.Ordinal))}) and nothing says which this wait is for";
        g.Add(new WaitEdge(from, new FrozenFsNode(null, why, t.Pid), Relation.WaitsForFrozenFs, new RuleUse(Rules.PercpuRwsemIsSbFreeze, stackWait.Witness),
            Lines(wait?.Line, t.SleepLine)));
    }

    /// <summary>The relation of a wait on a kernel object read off a stack.</summary>
    private static Relation WaitRelation(WaitKind kind) => kind switch
    {
        WaitKind.Mutex => Relation.WaitsForMutex,
        WaitKind.RwSemaphore => Relation.WaitsForRwSemaphore,
        WaitKind.Semaphore => Relation.WaitsForSemaphore,
        WaitKind.Completion => Relation.WaitsForCompletion,
        WaitKind.Journal => Relation.WaitsForJournal,
        WaitKind.DirtyThrottle => Relation.WaitsForDirtyThrottle,
        WaitKind.BlockTags => Relation.WaitsForBlockTags,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The task whose held-locks list names the address a waiter waits for. lockdep puts a lock in a task's
    /// list when the task starts to take it, before any wait (kernel/locking/mutex.c __mutex_lock_common:
    /// mutex_acquire_nest before the wait loop; kernel/locking/rwsem.c down_write: rwsem_acquire before
    /// LOCK_CONTENDED; kernel/locking/lockdep.c __lock_acquire adds it to curr->held_locks), and a task waits for one
    /// lock at a time, so only the last entry of a list may be a lock still being waited for. Hence, best first: an
    /// entry that is not its list's last (held for certain); the last entry of a task whose stack shows it asleep in
    /// something other than a lock (past the acquisition: held); the last entry of a task whose state the input does
    /// not show (held, or still being waited for). The last entry of a task asleep in a lock wait is the lock it waits
    /// for, never a holder. Among equals the first in the report's order: the numbering of the pids (which a reboot
    /// changes) never decides who holds a lock.</summary>
    private static (TaskRecord Holder, EvidenceLine Line)? HolderFromHeldLocks(ReplayState s, TaskRecord waiter)
    {
        var wanted = waiter.HeldLocks[^1];
        if (wanted.Address is not ulong addr) return null;
        (TaskRecord Holder, EvidenceLine Line, int Rank)? best = null;
        foreach (var (other, i) in s.Tasks.HoldersOf(addr))
        {
            if (other == waiter) continue;
            var held = other.HeldLocks;
            int rank;
            if (i < held.Count - 1) rank = 0;
            else if (!other.IsBlocked) rank = 2;
            else
            {
                var kind = SleepReading(s, other).Wait.Kind;
                if (kind is WaitKind.Mutex or WaitKind.RwSemaphore or WaitKind.Semaphore) continue; // the lock it waits for itself
                rank = kind is WaitKind.None or WaitKind.Unknown ? 2 : 1;
            }
            if (best is null || rank < best.Value.Rank) best = (other, held[i].Line, rank);
            if (rank == 0) break;
        }
        return best is { } b ? (b.Holder, b.Line) : null;
    }

    private static void AddWriteback(WaitForGraph g, ReplayState s, PageKey key, TaskRecord waiter)
    {
        if (RequestServers.AddFuseWriteback(g, s, key)) return;
        var page = s.Pages.Get(key);
        // No bio known for the page (writeback began before the trace, its events were not traced, or its filesystem names
        // no sector), or the one the replay matched it to has completed while the task still waits (a bio matched to a
        // page without a disk address was a guess): the device's stalled bios, if it has some. So too when the waiter
        // built the page's bio itself and no submission was seen: a task waits for writeback only after its writepages
        // returned (mm/filemap.c filemap_write_and_wait_range: __filemap_fdatawrite_range -> do_writepages, then
        // __filemap_fdatawait_range), and writepages submits what it built before returning (fs/ext4/inode.c
        // ext4_do_writepages -> ext4_io_submit; fs/btrfs/extent_io.c btrfs_writepages -> submit_write_bio): someone
        // submitted it where the trace did not show (a btrfs worker), so it is no deadlock of the waiter with itself. Not
        // so when its stack shows it waiting inside writepages (fs/ext4/inode.c mpage_prepare_extent_to_map ->
        // folio_wait_writeback): nothing has submitted that bio, and the task waits for itself. Except on a filesystem
        // without a block device of its own (btrfs, on an anonymous device): it submits before it waits
        // (fs/btrfs/extent_io.c extent_write_cache_pages: submit_write_bio, then folio_wait_writeback), possibly through
        // a worker (fs/btrfs/bio.c btrfs_submit_chunk -> should_async_write -> btrfs_wq_submit_bio) whose bio the trace
        // does not tie to the builder.
        if (page?.Ioend is not { } io || io.Completed is not null
            || (io.Submitted is null && !io.SectorKnown && io.BuilderPid == waiter.Pid
                && (!StackReader.InsideWritepages(SleepStack(s, waiter)) || io.Dev.IsNamed || io.Dev.Major == 0)))
        {
            if (!AddMappedBio(g, s, key)) AddStalledBios(g, s, key, waiter.StateSinceNs);
            return;
        }
        var bio = new BioNode(io.Dev, io.SectorKnown ? io.StartSector : null, io.BuilderPid);
        // With a disk address (iomap) the page's place in the bio is observed; without (ext4's writepages, a probe) the
        // page joins the bio its writeback task is building.
        // A page whose writeback start named no device was placed on the device of the inode its task writes back: that
        // rule (which includes the joining of the builder's bio) and the line that named the inode's bdi.
        var pageLine = io.Pages.LineOf(key) ?? io.FirstLine;
        if (page.WritebackDeviceFrom is { } from)
            g.Add(new WaitEdge(new WritebackNode(key), bio, Relation.InBio, new RuleUse(from.Rule), Lines(from.Line, pageLine)));
        else
            g.Add(new WaitEdge(new WritebackNode(key), bio, Relation.InBio, io.SectorKnown && io.SubmissionRule is null ? null : new RuleUse(Rules.WritebackJoinsBuildersBio),
                Lines(pageLine)));
        if (io.Submitted is null)
            g.Add(new WaitEdge(bio, Task(s, io.BuilderPid), Relation.UnsubmittedBioOwnedBy, null, Lines(io.FirstLine)));
        else if (io.Completed is null)
        {
            var inFlight = s.Bios.InFlightAt(io.Dev, io.StartSector);
            if (inFlight?.PluggedBy is int plugger)
            {
                // Queued under a plug: it reaches the device only when that task unplugs.
                g.Add(new WaitEdge(bio, Task(s, plugger), Relation.PluggedBy, null, Lines(inFlight.PlugLine, io.Submitted)));
                return;
            }
            var dev = inFlight?.RemappedTo?.Dev ?? io.Dev;
            g.Add(new WaitEdge(bio, new DeviceNode(dev), Relation.InFlightOn, RuleUse.Of(io.SubmissionRule),
                Lines(io.Submitted, inFlight?.RemapLine)));
            AddDevice(g, s, dev);
        }
    }

    /// <summary>Rule extent-map-names-page-sector: the filesystem mapped the page's blocks to a sector, and a bio in flight on
    /// the page's device covers it. False when nothing maps the page or no in-flight bio covers its sector.</summary>
    private static bool AddMappedBio(WaitForGraph g, ReplayState s, PageKey key)
    {
        if (s.BlockMaps.SectorOf(key, (int?)s.Topology.BlockSizeOf(key.Dev)) is not { } mapped) return false;
        if (s.Bios.InFlightAt(key.Dev, mapped.Sector) is not { } bio) return false;
        var node = new BioNode(key.Dev, bio.StartSector, 0);
        g.Add(new WaitEdge(new WritebackNode(key), node, Relation.InBio, new RuleUse(Rules.ExtentMapNamesPageSector),
            Lines(mapped.Map, mapped.BlockSizeLine, bio.Queued)));
        AddBioInFlight(g, s, node, bio, key.Dev);
        return true;
    }

    /// <summary>A queued bio not completed: held in its task's plug, or in flight on its device (or the device a stacking
    /// driver sent it to), and on to what that device waits for.</summary>
    private static void AddBioInFlight(WaitForGraph g, ReplayState s, BioNode node, TraceForensics.Replay.Bios.InFlightBio bio, DeviceNumber dev)
    {
        if (bio.PluggedBy is int plugger)
        {
            g.Add(new WaitEdge(node, Task(s, plugger), Relation.PluggedBy, null, Lines(bio.PlugLine, bio.Queued)));
            return;
        }
        dev = bio.RemappedTo?.Dev ?? dev;
        g.Add(new WaitEdge(node, new DeviceNode(dev), Relation.InFlightOn, null, Lines(bio.Queued, bio.RemapLine)));
        AddDevice(g, s, dev);
    }

    /// <summary>Rule writeback-in-stalled-device-bios: the page's device has bios in flight and has completed none since
    /// the task began to wait, so the page's writeback is in one of them.</summary>
    private static void AddStalledBios(WaitForGraph g, ReplayState s, PageKey key, long waitingSinceNs)
    {
        // A filesystem on an anonymous device (btrfs) has its bios on the block device under it: the topology names it.
        var dev = key.Dev.Major > 0 ? key.Dev : s.Topology.BlockDevicesUnder(key.Dev) is [var only] ? only : key.Dev;
        if (s.Bios.Device(dev) is not { } device) return;
        // Only writes hold a page's writeback: a read in flight ends none.
        var writes = device.InFlight.Where(b => !b.IsRead).ToList();
        if (writes.Count == 0 || writes.MinBy(b => b.Queued.TimestampNs) is not { } oldest) return;
        if (device.LastCompletion is { } last && last.TimestampNs >= waitingSinceNs) return; // it still completes: not stalled
        // Lost events since the bios were queued, the last completion or the wait may have held completions: neither "in
        // flight" nor "completed none since" holds across them.
        long watchedSince = Math.Min(Math.Min(oldest.Queued.TimestampNs, waitingSinceNs), device.LastCompletion?.TimestampNs ?? long.MaxValue);
        if (s.Bios.LastGapNs is long gap && gap >= watchedSince) return;
        var node = new StalledBiosNode(dev, writes.Count, oldest.StartSector, oldest.Queued.TimestampNs, device.LastCompletion?.TimestampNs);
        g.Add(new WaitEdge(new WritebackNode(key), node, Relation.InOneOf, Rules.WritebackInStalledDeviceBios, Lines(oldest.Queued, device.LastCompletion)));
        g.Add(new WaitEdge(node, new DeviceNode(dev), Relation.InFlightOn, null, Lines(oldest.Queued)));
        AddDevice(g, s, dev);
    }

    /// <summary>A loop device waits for the kworker running its work now: named by its work item (workqueue loopN), or,
    /// when no worker's work item is known, the only blocked worker in loop work. A pooled kworker's earlier or later
    /// work items say nothing.</summary>
    private static void AddDevice(WaitForGraph g, ReplayState s, DeviceNumber dev)
    {
        var device = s.Bios.Device(dev);
        if (device is null || !device.IsLoop) return;
        var workers = s.Tasks.Blocked.OrderBy(t => t.Pid).ToList();
        foreach (var worker in workers)
        {
            if (ServedLoop(s, worker) is not { } served || served.Dev != dev) continue;
            RequestServers.AddServedBy(g, new DeviceNode(dev), Task(worker), Rules.LoopWorkqueueServesItsDevice, Lines(served.Line, worker.SleepLine));
            return;
        }
        if (StackPairing(s) is { } pair && pair.Dev == dev)
            RequestServers.AddServedBy(g, new DeviceNode(dev), Task(pair.Worker), Rules.LoopDeviceServedByLoopWorker, Lines(pair.Worker.SleepLine));
    }

    /// <summary>The stack rule, when nothing names a worker's loop: it pairs the one stuck loop device (bios in flight)
    /// with the one blocked worker in loop work (this sleep's stack), never more, and never a worker whose current work
    /// item is known but not which loop's. Null when there is not exactly one of each.</summary>
    private static (TaskRecord Worker, DeviceNumber Dev)? StackPairing(ReplayState s)
    {
        var stuck = s.Bios.Devices.Where(d => d.IsLoop && d.InFlight.Count > 0).Take(2).ToList();
        if (stuck.Count != 1) return null;
        var workers = s.Tasks.Blocked.Where(w => ServedLoop(s, w) is null && w.SleepStackId != 0 && s.Workqueues.Running(w.Pid) is null
            && StackReader.Contains(s.Stacks.Get(w.SleepStackId), "loop_process_work", "lo_rw_aio", "loop_queue_work", "lo_write_simple")).Take(2).ToList();
        return workers.Count == 1 ? (workers[0], stuck[0].Dev) : null;
    }

    private static DeviceNumber? StackPairedLoop(ReplayState s, TaskRecord t) => StackPairing(s) is { } p && p.Worker == t ? p.Dev : null;

    /// <summary>The loop device a worker serves in its current blocked interval, and the line that says so: the work item
    /// it runs (queued on workqueue loopN), or a hung-task report's "Workqueue: loopN" line made during this interval.</summary>
    private static (DeviceNumber Dev, EvidenceLine Line)? ServedLoop(ReplayState s, TaskRecord worker)
    {
        if (s.Workqueues.Running(worker.Pid) is { } run)
            return s.LoopOfWorkqueue(run.Workqueue) is { } loop ? (loop, run.Start) : null;
        if (worker.Workqueue is { } wq && worker.WorkqueueLine is { } line && worker.IsBlocked && line.TimestampNs >= worker.StateSinceNs
            && s.LoopOfWorkqueue(wq) is { } reported)
            return (reported, line);
        return null;
    }

    /// <summary>Whether <see cref="Refine"/> may change this chain or a tail of it: it has a loop-served edge, or ends at a
    /// frozen filesystem not named.</summary>
    public static bool Refinable(IReadOnlyList<WaitEdge> chain) =>
        (chain.Count > 0 && chain[^1].To is FrozenFsNode { Dev: null })
        || chain.Any(e => e is { Relation: Relation.ServedBy, Rule.Rule: var r } && r == Rules.LoopDeviceServedByLoopWorker);

    /// <summary>A chain taken while its worker was stuck, told with what the input showed since: a hung-task report's
    /// "Workqueue: loopN" line of the worker's same blocked interval confirms (or contradicts, and then cuts) a loop
    /// device served by the stack rule; a frozen filesystem left unknown is named once the worker's loop is seen writing
    /// to its backing filesystem (typically when the same work item runs again after the thaw).</summary>
    public static IReadOnlyList<WaitEdge> Refine(IReadOnlyList<WaitEdge> chain, ReplayState s)
    {
        chain = ByReport(chain, s);
        if (chain.Count < 2 || chain[^1] is not { To: FrozenFsNode { Dev: null }, From: TaskNode worker } last) return chain;
        var served = chain.FirstOrDefault(e => e.Relation == Relation.ServedBy && e.To.Equals(worker));
        if (served?.From is not DeviceNode { Dev: var loop } || s.Workqueues.BackingSeenInWork(loop) is not { } seen) return chain;
        var named = new WaitEdge(worker, new FrozenFsNode(seen.Fs), Relation.WaitsForFrozenFs, new RuleUse(Rules.LoopWorkItemIoNamesBackingFs, last.Rule?.Witness),
            Lines([.. last.Lines.Select(l => (EvidenceLine?)l), seen.Line]));
        return [.. chain.Take(chain.Count - 1), named];
    }

    /// <summary>The stack rule's "device D is served by W", checked against a later hung-task report of W made while it
    /// was still in that sleep: its Workqueue line naming D's loop makes the edge the workqueue rule's; naming another
    /// loop, the edge was wrong and the chain ends at D.</summary>
    private static IReadOnlyList<WaitEdge> ByReport(IReadOnlyList<WaitEdge> chain, ReplayState s)
    {
        int i = -1;
        for (int k = 0; k < chain.Count; k++)
            if (chain[k] is { Relation: Relation.ServedBy, Rule.Rule: var r } && r == Rules.LoopDeviceServedByLoopWorker) { i = k; break; }
        if (i < 0 || chain[i] is not { From: DeviceNode device, To: TaskNode worker } edge) return chain;
        if (s.Tasks.Get(worker.Pid) is not { } t || t.Generation != worker.Generation || t.WorkqueueLine is not { } line
            || s.LoopOfWorkqueue(t.Workqueue) is not { } reported) return chain;
        // The report must be of the sleep the edge was read from.
        if (t.WorkqueueSleep is not { } sleep || !edge.Lines.Contains(sleep)) return chain;
        if (reported != device.Dev) return [.. chain.Take(i)];
        var confirmed = new WaitEdge(device, worker, Relation.ServedBy, Rules.LoopWorkqueueServesItsDevice, Lines([.. edge.Lines.Select(l => (EvidenceLine?)l), line]));
        return [.. chain.Take(i), confirmed, .. chain.Skip(i + 1)];
    }

    private static void AddPageLock(WaitForGraph g, ReplayState s, PageKey key, Func<List<TaskRecord>> blocked)
    {
        var node = new PageLockNode(key);
        var page = s.Pages.Get(key);
        if (page?.LockHolder is int holder)
        {
            g.Add(new WaitEdge(node, Task(s, holder), Relation.HeldBy, page.LockObserved ? null : RuleUse.Of(page.LockRule), Lines(page.LockLine)));
            return;
        }
        foreach (var t in blocked())
        {
            if (t.FaultPage == key && SleepReading(s, t).FaultedPageHeld is { } row)
            {
                g.Add(new WaitEdge(node, Task(t), Relation.HeldBy, new RuleUse(Rules.FaultHoldsFaultedPage, row.Function), Lines(t.FaultLine, t.SleepLine)));
                return;
            }
        }
    }
}
