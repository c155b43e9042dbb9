using TraceForensics.Events.Model;
using TraceForensics.Replay.Snapshots;

namespace TraceForensics.Tui;

/// <summary>The model of <c>tracefx tui --live</c>: the events kept in memory as they come, the newest
/// <see cref="MaxLiveEvents"/> at most (whatever the run's length), the cursor replayed from a copy of the feed's state
/// (<see cref="LiveFeed"/>) where the log now starts.</summary>
public sealed partial class TuiModel
{
    /// <summary>Events the live log keeps at most: when over, it drops its oldest down to a copy of the state taken
    /// between a half and all of that ago.</summary>
    public const int MaxLiveEvents = 1_000_000;

    private List<TraceEvent>? _liveEvents;
    /// <summary>Copies of the feed's state not used yet, oldest first (numbered by events since the start).</summary>
    private readonly List<ReplayCheckpoint> _liveCheckpoints = new();

    /// <summary>Events dropped from the start of the live log so far.</summary>
    public long LiveDropped { get; private set; }

    /// <summary>An empty live model: events come with <see cref="Append"/>, from the source <paramref name="name"/> whose
    /// stacks are <paramref name="stacks"/>.</summary>
    public static TuiModel Live(string name, StackTable stacks)
    {
        var events = new List<TraceEvent>();
        return new TuiModel(EventLog.InMemory(events, truncated: false, lastHangReport: -1), [], stacks, [name]) { _liveEvents = events };
    }

    /// <summary>Adds a live step's events (on the UI thread, which alone reads the log); when the log is over
    /// <paramref name="max"/>, drops its oldest events down to the latest checkpoint that leaves at least half of it.
    /// Returns how many were dropped: every index moves down by as many.</summary>
    public int Append(IReadOnlyList<TraceEvent> events, ReplayCheckpoint? checkpoint, int max = MaxLiveEvents)
    {
        var list = _liveEvents ?? throw new InvalidOperationException("not a live model");
        list.AddRange(events);
        if (checkpoint is not null) _liveCheckpoints.Add(checkpoint);
        if (list.Count <= max) return 0;
        ReplayCheckpoint? cut = null;
        foreach (var c in _liveCheckpoints)
            if (c.Applied - LiveDropped <= list.Count - max / 2) cut = c;
        if (cut is null) return 0;
        int drop = (int)(cut.Applied - LiveDropped);
        _liveCheckpoints.RemoveAll(c => c.Applied <= cut.Applied);
        list.RemoveRange(0, drop);
        LiveDropped += drop;
        Timelines.DropBefore(list[0].TimestampNs);
        // The state before the log's new first event; going back in time replays from it.
        _checkpoints = ReplayTimeline.ByEvents(CheckpointEvents, MaxCheckpoints);
        _checkpoints.End(cut.State, 0);
        _near.Clear();
        if (_applied >= drop) _applied -= drop;
        else { _cursorReplay = cut.Resume(); _applied = 0; }
        return drop;
    }
}
