using TraceForensics.Events.Model;
using TraceForensics.Replay;

namespace TraceForensics.Analysis;

/// <summary>Hooks of a run for views that follow it: the replay state when it starts, each event before and after
/// the replay applies it.</summary>
public sealed class AnalysisHooks
{
    public Action<ReplayState>? Started { get; init; }
    /// <summary>Before the replay applies the event (the state holds the events before it: a checkpoint's moment).</summary>
    public Action<TraceEvent, ReplayState>? Applying { get; init; }
    /// <summary>After the replay and the detectors took the event.</summary>
    public Action<TraceEvent, ReplayState>? Applied { get; init; }
}
