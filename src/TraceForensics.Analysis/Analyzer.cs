using TraceForensics.Analysis.Detectors;
using TraceForensics.Analysis.Findings;
using TraceForensics.Events.Model;
using TraceForensics.Ingest.Input;
using TraceForensics.Replay;

namespace TraceForensics.Analysis;

/// <summary>Incremental analysis: replays each event, then feeds it to every detector; <see cref="Findings"/> may be
/// asked at any time and ranks what the detectors found up to then: deadlocks (closed chains), stalls (chains to a
/// root blocker), hung tasks with no known blocker, potential deadlocks, notes.</summary>
public sealed class Analyzer
{
    private readonly ReplayEngine _engine;
    private readonly AnalysisOptions _options;
    private readonly IDetector[] _detectors;

    public Analyzer(StackTable stacks, AnalysisOptions? options = null, InputLimits? limits = null)
    {
        _options = options ?? new AnalysisOptions();
        _engine = new ReplayEngine(stacks, limits);
        // In report order: later detectors leave out what the deadlocks already show.
        _detectors = [new BlockedChainDetector(_options), new InversionDetector(), new LockdepReportDetector(), new ReclaimWritebackDetector()];
    }

    /// <summary>The replayed state now (for views that follow the replay, such as the TUI's timelines).</summary>
    public ReplayState State => _engine.State;

    public void Observe(in TraceEvent e)
    {
        _engine.Apply(e);
        var state = _engine.State;
        for (int i = 0; i < _detectors.Length; i++) _detectors[i].Observe(state, e);
    }

    /// <summary>The findings up to now, ranked, filtered by the options (<c>--since</c>, <c>--pid</c>).</summary>
    public IReadOnlyList<Finding> Findings()
    {
        var set = new FindingSet();
        foreach (var d in _detectors) d.Report(_engine.State, set);
        return set.Rank(_engine.State).Where(_options.Keeps).ToList();
    }
}
