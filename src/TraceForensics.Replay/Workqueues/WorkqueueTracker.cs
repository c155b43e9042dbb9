using TraceForensics.Events.Model;
using TraceForensics.Ingest.Input;
using TraceForensics.Replay.Diagnostics;
using TraceForensics.Replay.Evidence;

namespace TraceForensics.Replay.Workqueues;

/// <summary>Owns which work item each kworker is running. Unbound kworkers are a pool (kernel/workqueue.c): one pid runs
/// one workqueue's work now and another's a moment later, so what a worker serves holds only between its
/// workqueue_execute_start and workqueue_execute_end, never across work items. The workqueue of a work item is known
/// from its workqueue_queue_work (the execute events carry only the work struct and function).</summary>
public sealed class WorkqueueTracker(int maxQueued, LimitsReached reached)
{
    /// <summary>Work structs seen queued, to their workqueue; bounded by <paramref name="maxQueued"/> (a work struct is
    /// reused, so few are live): past it the map is emptied, and the first event of each input that did so is said.</summary>
    private readonly Dictionary<ulong, string> _queuedOn = new();
    private readonly Dictionary<int, WorkItemRun> _running = new();
    private readonly Dictionary<DeviceNumber, (DeviceNumber Fs, EvidenceLine Line)> _loopWrites = new();

    /// <summary>The device a loop device's own work item wrote or flushed to (its worker's bios, outside reclaim): the
    /// filesystem of that loop's backing file, since the loop worker does I/O only on its backing file
    /// (drivers/block/loop.c lo_rw_aio, lo_req_flush -> vfs_fsync of lo_backing_file). Null when not seen.</summary>
    public (DeviceNumber Fs, EvidenceLine Line)? BackingSeenInWork(DeviceNumber loop) => _loopWrites.TryGetValue(loop, out var w) ? w : null;

    /// <summary>A write or flush bio on <paramref name="dev"/> by the worker of <paramref name="loop"/>'s work item.</summary>
    public void Write(DeviceNumber loop, DeviceNumber dev, EvidenceLine line)
    {
        if (dev != loop) _loopWrites.TryAdd(loop, (dev, line));
    }

    /// <summary>The work item <paramref name="pid"/> is running now, or null (not a kworker, between items, or not seen start).</summary>
    public WorkItemRun? Running(int pid) => _running.GetValueOrDefault(pid);

    public void WorkQueued(in TraceEvent e)
    {
        if (e.Payload.Work is not { Workqueue: { } wq, Work: var work }) return;
        if (_queuedOn.Count >= maxQueued && !_queuedOn.ContainsKey(work))
        {
            _queuedOn.Clear();
            reached.Reach(nameof(InputLimits.MaxQueuedWork), maxQueued, e,
                "the work structs seen queued are forgotten: a work item run after this whose queueing was not seen again has no known workqueue");
        }
        _queuedOn[work] = wq;
    }

    public void WorkStart(in TraceEvent e)
    {
        if (e.Payload.Work is not { Work: var work }) return;
        _running[e.Pid] = new WorkItemRun(work, _queuedOn.GetValueOrDefault(work), e.Payload.Function, EvidenceLine.Of(e));
    }

    public void WorkEnd(in TraceEvent e) => _running.Remove(e.Pid);

    /// <summary>A task gone (or a new task with its pid): it runs nothing.</summary>
    public void Exited(int pid) => _running.Remove(pid);

    /// <summary>Lost events: a worker may have ended its item and started others unseen.</summary>
    public void TraceGap() => _running.Clear();

    /// <summary>A deep copy (runs are immutable).</summary>
    internal WorkqueueTracker Clone()
    {
        var clone = new WorkqueueTracker(maxQueued, reached);
        foreach (var (work, wq) in _queuedOn) clone._queuedOn[work] = wq;
        foreach (var (pid, run) in _running) clone._running[pid] = run;
        foreach (var (loop, w) in _loopWrites) clone._loopWrites[loop] = w;
        return clone;
    }
}
