using TraceForensics.Analysis.Findings;
using TraceForensics.Events.Model;
using TraceForensics.Replay.Snapshots;

namespace TraceForensics.Tui;

/// <summary>What one step of a live source brought, for the UI thread: the new events (time order), the findings up to
/// them when they were asked this step (null: not asked; provisional while the source goes on), the source's lines, a
/// checkpoint of the replay (the state before the event numbered <see cref="ReplayCheckpoint.Applied"/> since the
/// start) from which the log may drop what came before it, whether the source has ended, and the changes of the
/// timeline strips' letters over the step's events (<see cref="TimelineChanges"/>).</summary>
public sealed record LiveUpdate(IReadOnlyList<TraceEvent> Events, IReadOnlyList<Finding>? Findings, IReadOnlyList<string> Messages,
                                ReplayCheckpoint? Checkpoint, bool Ended)
{
    public IReadOnlyList<(int Pid, long Ns, char State)> Timelines { get; init; } = [];
}
