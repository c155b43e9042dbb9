using TraceForensics.Events.Model;
using TraceForensics.Replay;

namespace TraceForensics.Analysis.Detectors;

/// <summary>A detector: fed every event after the replay applied it, asked for its findings at any time (the end of
/// the input, the TUI while it loads, a live watch). Asking does not change what it finds later. Adding a detector
/// is adding it to <see cref="Analyzer"/>'s list.</summary>
public interface IDetector
{
    /// <summary>Called after the replay applied <paramref name="e"/>.</summary>
    void Observe(ReplayState state, in TraceEvent e);

    /// <summary>Adds what it found up to now to <paramref name="findings"/>, named from <paramref name="state"/>.</summary>
    void Report(ReplayState state, FindingSet findings);
}
