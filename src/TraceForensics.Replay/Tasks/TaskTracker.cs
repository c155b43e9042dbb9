using TraceForensics.Events.Model;
using TraceForensics.Ingest.Formats;
using TraceForensics.Replay.Evidence;
using TraceForensics.Replay.Pages;

namespace TraceForensics.Replay.Tasks;

/// <summary>Owns task state: scheduling (sched_switch, waking, fork/exec/exit), what a task announced it waits on,
/// reclaim nesting, fault context, hang reports. Verbs are named after the kernel events that drive them.</summary>
public sealed class TaskTracker
{
    private readonly Dictionary<int, TaskRecord> _live = new();
    private readonly HashSet<TaskRecord> _blocked = new(ByIdentity.Instance);

    public IEnumerable<TaskRecord> Tasks => _live.Values.OrderBy(t => t.Pid);
    public IReadOnlyCollection<TaskRecord> Blocked => _blocked;

    public TaskRecord? Get(int pid) => pid == _lastPid && _last is not null ? _last : _live.GetValueOrDefault(pid);

    /// <summary>The task last looked up by <see cref="GetOrAdd"/>: the events of one task come in runs (a cpu runs it for
    /// a while), so most lookups are of the task of the event before. Forgotten where its pid is given a new record.</summary>
    private TaskRecord? _last;
    private int _lastPid;

    /// <summary>Whether any task was ever given a held-locks entry (a kernel log's lock list): until then no wait can be
    /// read as waiting for a lock another task is listed as holding.</summary>
    public bool AnyHeldLocks { get; private set; }

    /// <summary>Held-locks entries by lock address: (pid, place in that task's list), in the order the input gave them
    /// (the report's order: kernel/locking/lockdep.c debug_show_all_locks walks the task list, not the pids), so the
    /// holder of an address is found without going over every task, and what is picked among several does not depend
    /// on how the tasks happen to be numbered.</summary>
    private Dictionary<ulong, List<(int Pid, int Index)>> _heldByAddress = new();

    /// <summary>The held-locks entries naming a lock address, in the order the input gave them; each with its task.</summary>
    public IEnumerable<(TaskRecord Task, int Index)> HoldersOf(ulong address)
    {
        if (!_heldByAddress.TryGetValue(address, out var entries)) yield break;
        foreach (var (pid, index) in entries) yield return (_live[pid], index);
    }

    /// <summary>A deep copy, without the listener (for replay checkpoints).</summary>
    internal TaskTracker Clone()
    {
        var clone = new TaskTracker { AnyHeldLocks = AnyHeldLocks };
        foreach (var (address, entries) in _heldByAddress) clone._heldByAddress[address] = new(entries);
        foreach (var (pid, t) in _live)
        {
            var c = t.Clone();
            clone._live[pid] = c;
            if (_blocked.Contains(t)) clone._blocked.Add(c);
        }
        return clone;
    }

    /// <summary>Told each time a task's scheduling state changes (the task, its new state, when): a view that draws
    /// states over time (the TUI's timeline strips) follows the tracker instead of deriving them again.</summary>
    public event Action<TaskRecord, TaskRunState, long>? StateChanged;

    /// <summary>The task an event belongs to, created on first sight (state unknown until the trace shows it).</summary>
    public TaskRecord Touch(in TraceEvent e)
    {
        var t = GetOrAdd(e.Pid, e.Comm);
        if (e.Tgid >= 0) t.Tgid = e.Tgid;
        t.LastSeenNs = e.TimestampNs;
        if (e.StackId != 0) t.LastStackId = e.StackId;
        if (e.Kind != EventKind.SchedSwitch && e.Pid != 0)
        {
            // An event of its own means the task is on a cpu.
            if (t.State != TaskRunState.Running) SetState(t, TaskRunState.Running, e.TimestampNs);
        }
        return t;
    }

    private TaskRecord GetOrAdd(int pid, string comm)
    {
        if (pid == _lastPid && _last is not null) return _last;
        if (!_live.TryGetValue(pid, out var t))
        {
            t = new TaskRecord(pid, 0, comm);
            _live[pid] = t;
        }
        _lastPid = pid;
        return _last = t;
    }

    public void SchedSwitch(in TraceEvent e)
    {
        var prev = GetOrAdd(e.Pid, e.Comm);
        prev.LastSeenNs = e.TimestampNs;
        var s = e.Payload.PrevState;
        var state = (s & TaskState.Uninterruptible) != 0 ? TaskRunState.Blocked
            : (s & TaskState.Sleeping) != 0 || (s & TaskState.Idle) != 0 ? TaskRunState.Sleeping
            : (s & TaskState.Stopped) != 0 ? TaskRunState.Stopped
            : (s & TaskState.Dead) != 0 ? TaskRunState.Dead
            : TaskRunState.Runnable;
        if (e.Pid == 0) state = TaskRunState.Runnable; // the idle task never sleeps
        // Blocked only by a report's word (khungtaskd saw it in D): switching out now, it ran in between.
        bool wasBlocked = prev.IsBlocked && !prev.BlockedSinceUnknown;
        if (!(wasBlocked && state == TaskRunState.Blocked)) SetState(prev, state, e.TimestampNs);
        if (state == TaskRunState.Sleeping) prev.FaultPage = null; // an S sleep is not inside a page fault
        if (state is TaskRunState.Blocked or TaskRunState.Sleeping)
        {
            if (!wasBlocked || prev.SleepLine is null) prev.SleepLine = EvidenceLine.Of(e);
            if (e.StackId != 0) { prev.SleepStackId = e.StackId; prev.LastStackId = e.StackId; }
            else if (!wasBlocked) prev.SleepStackId = 0; // a new sleep: an earlier sleep's stack says nothing of it
        }
        if (e.Payload.OtherPid is int next)
        {
            var n = GetOrAdd(next, e.Payload.OtherComm ?? "");
            if (n.State != TaskRunState.Running) SetState(n, TaskRunState.Running, e.TimestampNs);
            n.LastSeenNs = e.TimestampNs;
        }
    }

    public void SchedWakeup(in TraceEvent e)
    {
        if (e.Payload.OtherPid is not int pid) return;
        var t = GetOrAdd(pid, e.Payload.OtherComm ?? "");
        if (t.State is TaskRunState.Blocked or TaskRunState.Sleeping or TaskRunState.Unknown or TaskRunState.Stopped)
            SetState(t, TaskRunState.Runnable, e.TimestampNs);
    }

    public void ProcessFork(in TraceEvent e)
    {
        if (e.Payload.OtherPid is not int child) return;
        var old = _live.GetValueOrDefault(child);
        var t = new TaskRecord(child, old is null ? 0 : old.Generation + 1, e.Payload.OtherComm ?? e.Comm);
        if (old is not null)
        {
            _blocked.Remove(old);
            ForgetHeldLocks(old);
        }
        _live[child] = t;
        if (_lastPid == child) _last = null;
        SetState(t, TaskRunState.Runnable, e.TimestampNs);
    }

    public void ProcessExec(in TraceEvent e, TaskRecord t)
    {
        t.Comm = e.Comm;
        t.FreezingSince = null;
    }

    public void ProcessExit(in TraceEvent e)
    {
        var t = GetOrAdd(e.Payload.OtherPid ?? e.Pid, e.Payload.OtherComm ?? e.Comm);
        SetState(t, TaskRunState.Dead, e.TimestampNs);
    }

    /// <summary>khungtaskd's verdict on a task (sched_process_hang, or a kernel log's hung-task report).</summary>
    public TaskRecord ProcessHang(in TraceEvent e)
    {
        int pid = e.Payload.OtherPid ?? e.Pid;
        // sched_process_hang is emitted by khungtaskd and names the hung task in its payload.
        var t = GetOrAdd(pid, e.Payload.OtherComm ?? e.Comm);
        t.HangReport = EvidenceLine.Of(e);
        if (!t.IsBlocked)
        {
            // khungtaskd saw it in D but the trace never showed it going to sleep: blocked, since unknown.
            SetState(t, TaskRunState.Blocked, e.TimestampNs);
            t.BlockedSinceUnknown = true;
        }
        if (e.Name == "hung_task")
        {
            t.ReportedBlockedSeconds = e.Payload.HungTask.Seconds;
            // A kernel-log report carries the task's stack.
            if (e.StackId != 0) { t.SleepStackId = e.StackId; t.LastStackId = e.StackId; }
            t.SleepLine ??= EvidenceLine.Of(e);
        }
        return t;
    }

    public void AnnounceWait(TaskRecord t, WaitTarget wait) => t.Wait = wait;

    /// <summary>A kernel log's blocker line about a task (which is not running: the log speaks of it).</summary>
    public void LockOwner(in TraceEvent e)
    {
        var t = GetOrAdd(e.Pid, e.Comm);
        var owner = e.Payload.LockOwner;
        t.Blocker = (owner.Kind, owner.Pid, EvidenceLine.Of(e));
        if (owner.Pid is int ownerPid) GetOrAdd(ownerPid, owner.Comm ?? "");
    }

    /// <summary>A hung-task report's task line or workqueue line about a task.</summary>
    public void HungTaskDetail(in TraceEvent e)
    {
        var t = GetOrAdd(e.Pid, e.Comm);
        if (e.Payload.HungTask.Tgid is int tgid) t.Tgid = tgid;
        if (e.Payload.HungTask.Workqueue is { } wq) { t.Workqueue = wq; t.WorkqueueLine = EvidenceLine.Of(e); t.WorkqueueSleep = t.IsBlocked ? t.SleepLine : null; }
    }

    /// <summary>A kernel log's held-locks entry about a task.</summary>
    public void LockHeld(in TraceEvent e)
    {
        var t = GetOrAdd(e.Pid, e.Comm);
        var held = e.Payload.HeldLock;
        // Each print of a task's list is the whole of it, numbered from #0 (kernel/locking/lockdep.c
        // lockdep_print_held_locks: print_lock(curr->held_locks + i) for i from 0 to lockdep_depth); a kernel that printed
        // every task's locks once per hung task (kernel/hung_task.c check_hung_task called debug_show_all_locks() before
        // 4.18's "show all hung tasks before panic") prints one list several times. Appended, a waiter's awaited lock
        // would no longer be its last entry and would read as held: the entry at #N replaces the list from N on.
        if (held.Class is not null && held.Depth is int depth && depth < t.HeldLocks.Count) { ForgetHeldLocks(t, from: depth); t.TruncateHeldLocks(depth); }
        if (held.Class is { } cls && t.HeldLocks.Count < 64)
        {
            if (held.Address is ulong address)
            {
                if (!_heldByAddress.TryGetValue(address, out var entries)) _heldByAddress[address] = entries = new();
                entries.Add((t.Pid, t.HeldLocks.Count));
            }
            t.AddHeldLock((cls, held.Address, held.AcquireSite, EvidenceLine.Of(e)));
            AnyHeldLocks = true;
        }
    }

    /// <summary>Drops a task's held-locks entries from <paramref name="from"/> on (a replaced task's: all) from the index by
    /// address.</summary>
    private void ForgetHeldLocks(TaskRecord t, int from = 0)
    {
        for (int i = from; i < t.HeldLocks.Count; i++)
            if (t.HeldLocks[i].Address is ulong address && _heldByAddress.TryGetValue(address, out var entries)
                && entries.Remove((t.Pid, i)) && entries.Count == 0)
                _heldByAddress.Remove(address);
    }

    /// <summary>The trace lost events: a sleeping task may have been woken unseen, so its state becomes unknown rather
    /// than wrongly certain (it is blocked again only when the trace shows it).</summary>
    public void TraceGap(long ts)
    {
        foreach (var t in _live.Values.Where(t => t.State is TaskRunState.Blocked or TaskRunState.Sleeping).ToList())
            SetState(t, TaskRunState.Unknown, ts);
    }

    public void ReclaimBegin(TaskRecord t) => t.ReclaimDepth++;

    public void ReclaimEnd(TaskRecord t)
    {
        if (t.ReclaimDepth > 0) t.ReclaimDepth--;
    }

    public void FilemapFault(in TraceEvent e, TaskRecord t, PageKey page)
    {
        t.FaultPage = page;
        t.FaultLine = EvidenceLine.Of(e);
    }

    private void SetState(TaskRecord t, TaskRunState state, long ts)
    {
        if (t.State == TaskRunState.Blocked && state != TaskRunState.Blocked)
        {
            _blocked.Remove(t);
            t.Wait = null;
        }
        if (state == TaskRunState.Running)
        {
            // Running again: what it announced before sleeping is over once it does something else.
            t.SleepLine = null;
        }
        if (state == TaskRunState.Blocked) _blocked.Add(t);
        t.BlockedSinceUnknown = false;
        t.State = state;
        t.StateSinceNs = ts;
        StateChanged?.Invoke(t, state, ts);
    }

    /// <summary>A record is itself (reference equality), hashed by its pid: the runtime's identity hash was a tenth of
    /// a run of 100k hung-task reports.</summary>
    private sealed class ByIdentity : IEqualityComparer<TaskRecord>
    {
        public static readonly ByIdentity Instance = new();
        public bool Equals(TaskRecord? x, TaskRecord? y) => ReferenceEquals(x, y);
        public int GetHashCode(TaskRecord t) => t.Pid;
    }
}
