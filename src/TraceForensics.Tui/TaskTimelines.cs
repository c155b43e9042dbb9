using TraceForensics.Replay.Tasks;

namespace TraceForensics.Tui;

/// <summary>Per task, when what it was doing changed, for the timeline strips: its scheduling state ('=' on a cpu,
/// 'R' runnable, 'S' sleeping, 'D' blocked, 'T' stopped, 'X' gone, '.' unknown: before it was seen, or after lost
/// events) or, over it, a span it was in: 'W' blocked waiting for a page's writeback, 'M' in direct reclaim, 'F' in a
/// page fault. Followed from the replay's task tracker as the load goes; one entry per change.</summary>
public sealed class TaskTimelines
{
    private readonly Dictionary<int, List<(long Ns, char State)>> _changes = new();

    /// <summary>The legend of the strip's letters, for the help line.</summary>
    public const string Legend = "strip: = cpu  R runnable  S sleeping  D blocked  W writeback wait  M reclaim  F fault  T stopped  X gone  . unknown";

    public IReadOnlyList<(long Ns, char State)> this[int pid] => _changes[pid];

    /// <summary>The tasks with a timeline.</summary>
    public IEnumerable<int> Pids => _changes.Keys;

    /// <summary>The letter for what <paramref name="t"/> does now.</summary>
    public static char Letter(TaskRecord t)
    {
        // The spans inside a state: a task blocked in folio_wait_writeback (mm/filemap.c; vocabulary section 3, the
        // wait the replay reads off the event or the stack), between mm_vmscan_direct_reclaim_begin and _end
        // (mm/vmscan.c), in filemap_fault (mm/filemap.c) until the page it faults on is unlocked.
        if (t.State == TaskRunState.Blocked && t.Wait is { Kind: WaitKind.PageWriteback }) return 'W';
        if (t.State is TaskRunState.Running or TaskRunState.Runnable or TaskRunState.Blocked)
        {
            if (t.ReclaimDepth > 0) return 'M';
            if (t.FaultPage is not null) return 'F';
        }
        return t.State switch
        {
            TaskRunState.Running => '=',
            TaskRunState.Runnable => 'R',
            TaskRunState.Sleeping => 'S',
            TaskRunState.Blocked => 'D',
            TaskRunState.Stopped => 'T',
            TaskRunState.Dead => 'X',
            _ => '.',
        };
    }

    /// <summary>Records what <paramref name="t"/> does at <paramref name="ns"/> (nothing when it did that already).</summary>
    public void Track(TaskRecord t, long ns)
    {
        if (t.Pid > 0) Record(t.Pid, ns, Letter(t));
    }

    /// <summary>Records that task <paramref name="pid"/> does <paramref name="state"/> (a letter) from <paramref name="ns"/>
    /// on (nothing when it did that already).</summary>
    public void Record(int pid, long ns, char state)
    {
        // The load tells every event's task: the same task's events come in runs, so the last list is kept at hand
        // (the dictionary's lookup was most of this method's time).
        if (pid != _lastPid || _last is null)
        {
            if (!_changes.TryGetValue(pid, out _last)) _changes[pid] = _last = new();
            _lastPid = pid;
        }
        var list = _last;
        if (list.Count > 0 && list[^1].State == state) return;
        list.Add((ns, state));
    }

    private int _lastPid;
    private List<(long Ns, char State)>? _last;

    /// <summary>Records changes taken from a replay on another thread (<see cref="TimelineChanges"/>), in order.</summary>
    public void Record(IReadOnlyList<(int Pid, long Ns, char State)> changes)
    {
        foreach (var (pid, ns, state) in changes) Record(pid, ns, state);
    }

    /// <summary>Forgets what came before <paramref name="ns"/> (the live log dropped those events), keeping each task's
    /// state at that time; a task gone ('X') before it is forgotten.</summary>
    public void DropBefore(long ns)
    {
        foreach (var (pid, list) in _changes.ToList())
        {
            int inForce = -1;
            while (inForce + 1 < list.Count && list[inForce + 1].Ns <= ns) inForce++;
            if (inForce == list.Count - 1 && inForce >= 0 && list[inForce].State == 'X') { _changes.Remove(pid); _last = null; }
            else if (inForce > 0) list.RemoveRange(0, inForce);
        }
    }

    /// <summary>Which letter a column shows when the task did several things within it: the spans first (short
    /// ones would fall between columns otherwise), then blocked, then on a cpu.</summary>
    private const string Precedence = "WMFDR=TSX.";

    /// <summary>The strip of a task over <paramref name="slots"/> columns of <paramref name="slotNs"/> each, centred on
    /// <paramref name="now"/>, with '|' at the cursor; a column shows the most telling of what the task did within it
    /// (<see cref="Precedence"/>).</summary>
    public string Strip(int pid, long now, int slots, long slotNs)
    {
        var b = new System.Text.StringBuilder(slots);
        _changes.TryGetValue(pid, out var changes);
        for (int i = 0; i < slots; i++)
        {
            if (i == slots / 2) { b.Append('|'); continue; }
            long t = now + (i - slots / 2) * slotNs;
            char c = '.';
            if (changes is not null)
            {
                int lo = 0, hi = changes.Count - 1, found = -1;
                while (lo <= hi)
                {
                    int mid = (lo + hi) / 2;
                    if (changes[mid].Ns <= t) { found = mid; lo = mid + 1; } else hi = mid - 1;
                }
                if (found >= 0) c = changes[found].State;
                for (int k = found + 1; k < changes.Count && changes[k].Ns < t + slotNs; k++)
                    if (Precedence.IndexOf(changes[k].State) < Precedence.IndexOf(c)) c = changes[k].State;
            }
            b.Append(c);
        }
        return b.ToString();
    }
}
