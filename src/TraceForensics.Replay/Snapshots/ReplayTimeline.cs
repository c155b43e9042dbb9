using TraceForensics.Events.Model;

namespace TraceForensics.Replay.Snapshots;

/// <summary>A checkpoint of one replay: a copy of the state holding every event up to <see cref="AtNs"/> (the first
/// <see cref="Applied"/> events of the input), that a replay can go on from (<see cref="Resume"/>).</summary>
public sealed record ReplayCheckpoint(long AtNs, long Applied, ReplayState State)
{
    /// <summary>An engine that goes on from this checkpoint (on a copy: the checkpoint stays as it is).</summary>
    public ReplayEngine Resume() => new(State.Clone());

    /// <summary>The checkpoint's state as an immutable snapshot at its time.</summary>
    public ReplaySnapshot Snapshot() => ReplaySnapshot.Of(State) with { AtNs = AtNs };
}

/// <summary>Checkpoints of one replay: a copy of the state each time trace time (or, made with <see cref="ByEvents"/>,
/// the count of events applied) crosses the next checkpoint, so the
/// state at any time or event is reached from the checkpoint before it instead of a replay from the start (the TUI
/// goes back in time with it). At most <see cref="MaxCheckpoints"/> are kept: when full, every other one is
/// dropped and the interval doubles, so memory stays bounded whatever the trace length.</summary>
public sealed class ReplayTimeline
{
    private readonly List<ReplayCheckpoint> _checkpoints = new();
    private readonly bool _byEvents;
    private long _next = long.MinValue;

    public ReplayTimeline(long intervalNs = 10_000_000, int maxCheckpoints = 512) : this(intervalNs, maxCheckpoints, byEvents: false) { }

    private ReplayTimeline(long interval, int maxCheckpoints, bool byEvents)
    {
        if (interval <= 0 || maxCheckpoints < 2) throw new ArgumentOutOfRangeException(nameof(interval));
        IntervalNs = interval;
        MaxCheckpoints = maxCheckpoints;
        _byEvents = byEvents;
    }

    /// <summary>Checkpoints every <paramref name="events"/> events (doubling when full): for a view that moves
    /// event by event, such as the TUI's cursor.</summary>
    public static ReplayTimeline ByEvents(long events, int maxCheckpoints) => new(events, maxCheckpoints, byEvents: true);

    /// <summary>The interval between checkpoints: nanoseconds of trace time, or events for <see cref="ByEvents"/>.</summary>
    public long IntervalNs { get; private set; }
    public int MaxCheckpoints { get; }
    public IReadOnlyList<ReplayCheckpoint> Checkpoints => _checkpoints;

    /// <summary>Call before applying each event, with the number of events applied so far: takes a checkpoint of the
    /// state as it stands when the event's time passes the next checkpoint time (the state then holds everything
    /// strictly before it).</summary>
    public void BeforeEvent(ReplayState state, in TraceEvent e, long applied)
    {
        long at = _byEvents ? applied : e.TimestampNs;
        if (_next == long.MinValue) _next = at;
        if (at < _next) return;
        _checkpoints.Add(new ReplayCheckpoint(e.TimestampNs - 1, applied, state.Clone()));
        _next = at + IntervalNs;
        if (_checkpoints.Count > MaxCheckpoints)
        {
            for (int i = _checkpoints.Count - 2; i > 0; i -= 2) _checkpoints.RemoveAt(i);
            IntervalNs *= 2;
        }
    }

    /// <summary>The final state, once the replay has ended.</summary>
    public void End(ReplayState state, long applied) => _checkpoints.Add(new ReplayCheckpoint(state.NowNs, applied, state.Clone()));

    /// <summary>The latest checkpoint at or before <paramref name="atNs"/>, or null when T is before the first one.</summary>
    public ReplayCheckpoint? At(long atNs) => Latest(c => c.AtNs <= atNs);

    /// <summary>The latest checkpoint holding at most the first <paramref name="applied"/> events, or null.</summary>
    public ReplayCheckpoint? AtEvent(long applied) => Latest(c => c.Applied <= applied);

    private ReplayCheckpoint? Latest(Func<ReplayCheckpoint, bool> notAfter)
    {
        int lo = 0, hi = _checkpoints.Count - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) / 2;
            if (notAfter(_checkpoints[mid])) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return found < 0 ? null : _checkpoints[found];
    }
}
