using TraceForensics.Replay.Tasks;

namespace TraceForensics.Tui;

/// <summary>The changes of the timeline strips' letters (<see cref="TaskTimelines.Letter"/>) as a replay goes, collected
/// on the thread that replays and taken in batches for the thread that draws (<c>tui --live</c>: the feed's thread
/// replays, the UI's keeps the <see cref="TaskTimelines"/>). Told what the load tells its timelines: each change of a
/// task's scheduling state and, after each event, the event's task (the spans change with its own events).</summary>
public sealed class TimelineChanges
{
    private readonly Dictionary<int, char> _letter = new();
    private List<(int Pid, long Ns, char State)> _pending = new();

    /// <summary>Pids whose last letter is kept (for tests: the tasks gone are not).</summary>
    public int Known => _letter.Count;

    /// <summary>Notes what <paramref name="t"/> does at <paramref name="ns"/> when it is not what it did before.</summary>
    public void Track(TaskRecord t, long ns)
    {
        if (t.Pid <= 0) return;
        char letter = TaskTimelines.Letter(t);
        if (_letter.TryGetValue(t.Pid, out var was) && was == letter) return;
        // A task gone ('X') is forgotten: a long live session sees pids come and go, and a pid used again is a new
        // task whose first letter is a change whatever it is.
        if (letter == 'X') _letter.Remove(t.Pid);
        else _letter[t.Pid] = letter;
        _pending.Add((t.Pid, ns, letter));
    }

    /// <summary>The changes noted since the last call, in the order they happened.</summary>
    public IReadOnlyList<(int Pid, long Ns, char State)> Take()
    {
        var taken = _pending;
        _pending = new();
        return taken;
    }
}
