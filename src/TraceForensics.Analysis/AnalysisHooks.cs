using TraceForensics.Events.Model;
using TraceForensics.Replay;

namespace TraceForensics.Analysis;

/// <summary>Hooks of a run for views that follow it: the replay state when it starts, each event before and after
/// the replay applies it.</summary>
public sealed class AnalysisHooks
{
    /// <summary>A hook on one event, which it gets by reference: <see cref="TraceEvent"/> is large, and a copy for each
    /// hook of each event was a fifth of the TUI's replay thread (perf, the 1.1 GB benchmark trace).</summary>
    public delegate void EventHook(in TraceEvent e, ReplayState state);

    public Action<ReplayState>? Started { get; init; }
    /// <summary>The analyzer of the run, when it starts: a view that shows findings while the run goes on (the TUI)
    /// asks it for the findings up to then, between events (on the run's thread).</summary>
    public Action<Analyzer>? Analyzing { get; init; }
    /// <summary>Before the replay applies the event (the state holds the events before it: a checkpoint's moment).</summary>
    public EventHook? Applying { get; init; }
    /// <summary>After the replay and the detectors took the event.</summary>
    public EventHook? Applied { get; init; }
}
