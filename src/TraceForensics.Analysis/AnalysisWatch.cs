using TraceForensics.Events.Model;
using TraceForensics.Replay;

namespace TraceForensics.Analysis;

/// <summary>Hooks of a run for views that follow it: the replay state when it starts, each event once applied.</summary>
public sealed class AnalysisWatch
{
    public Action<ReplayState>? Started { get; init; }
    public Action<TraceEvent, ReplayState>? Event { get; init; }
}
