using TraceForensics.Events.Model;

namespace TraceForensics.Replay.Snapshots;

/// <summary>Checkpoints of one replay: a <see cref="ReplaySnapshot"/> each time trace time crosses the next
/// checkpoint, so the state near any time T is reached by a binary search instead of a replay from the start (the
/// TUI scrubs through time with it). At most <see cref="MaxCheckpoints"/> are kept: when full, every other one is
/// dropped and the interval doubles, so memory stays bounded whatever the trace length.</summary>
public sealed class ReplayTimeline
{
    private readonly List<ReplaySnapshot> _checkpoints = new();
    private long _nextNs = long.MinValue;

    public ReplayTimeline(long intervalNs = 10_000_000, int maxCheckpoints = 512)
    {
        if (intervalNs <= 0 || maxCheckpoints < 2) throw new ArgumentOutOfRangeException(nameof(intervalNs));
        IntervalNs = intervalNs;
        MaxCheckpoints = maxCheckpoints;
    }

    public long IntervalNs { get; private set; }
    public int MaxCheckpoints { get; }
    public IReadOnlyList<ReplaySnapshot> Checkpoints => _checkpoints;

    /// <summary>Call before applying each event: takes a checkpoint of the state as it stands when the event's time
    /// passes the next checkpoint time (the state then holds everything strictly before it).</summary>
    public void BeforeEvent(ReplayState state, in TraceEvent e)
    {
        if (_nextNs == long.MinValue) _nextNs = e.TimestampNs;
        if (e.TimestampNs < _nextNs) return;
        _checkpoints.Add(ReplaySnapshot.Of(state) with { AtNs = e.TimestampNs - 1 });
        _nextNs = e.TimestampNs + IntervalNs;
        if (_checkpoints.Count > MaxCheckpoints)
        {
            for (int i = _checkpoints.Count - 2; i > 0; i -= 2) _checkpoints.RemoveAt(i);
            IntervalNs *= 2;
        }
    }

    /// <summary>The final state, once the replay has ended.</summary>
    public void End(ReplayState state) => _checkpoints.Add(ReplaySnapshot.Of(state));

    /// <summary>The latest checkpoint at or before <paramref name="atNs"/>, or null when T is before the first one.</summary>
    public ReplaySnapshot? At(long atNs)
    {
        int lo = 0, hi = _checkpoints.Count - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) / 2;
            if (_checkpoints[mid].AtNs <= atNs) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return found < 0 ? null : _checkpoints[found];
    }
}
