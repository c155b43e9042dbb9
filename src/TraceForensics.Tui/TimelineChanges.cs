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

    /// <summary>Notes what <paramref name="t"/> does at <paramref name="ns"/> when it is not what it did before.</summary>
    public void Track(TaskRecord t, long ns)
    {
        if (t.Pid <= 0) return;
        char letter = TaskTimelines.Letter(t);
        if (_letter.TryGetValue(t.Pid, out var was) && was == letter) return;
        _letter[t.Pid] = letter;
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
