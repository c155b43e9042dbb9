using System.Diagnostics;
using TraceForensics.Analysis;
using TraceForensics.Analysis.Findings;
using TraceForensics.Events.Model;
using TraceForensics.Replay.Snapshots;

namespace TraceForensics.Tui;

/// <summary>The analysis of a live source as its events come: the same <see cref="Analyzer"/> (replay and detectors) as
/// <c>analyze</c>, fed in time order, one <see cref="Step"/> at a time on the feed's thread. The findings are asked at
/// most every <c>findingsEvery</c> (and at most a tenth of the time, as the load's partial results are: a large state
/// takes long to rank); a copy of the replayed state is taken every <see cref="CheckpointEvents"/> events, so the UI can
/// drop the log's oldest events and still replay the cursor from a true state.</summary>
public sealed class LiveFeed
{
    private readonly ILiveSource _source;
    private readonly Analyzer _analyzer;
    private readonly TimeSpan _findingsEvery;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _nextFindings;
    private bool _newSinceFindings;
    private readonly TimelineChanges _timelines = new();

    /// <summary>Events between copies of the state: half the events the live log keeps.</summary>
    public const int CheckpointEvents = TuiModel.MaxLiveEvents / 2;

    public LiveFeed(ILiveSource source, AnalysisOptions options, TimeSpan? findingsEvery = null)
    {
        _source = source;
        _analyzer = new Analyzer(source.Stacks, options);
        // The strips follow the replay as the load's do (TuiModel.Load): each change of state, and each event's task.
        _analyzer.State.Tasks.StateChanged += (t, _, ns) => _timelines.Track(t, ns);
        _findingsEvery = findingsEvery ?? TimeSpan.FromMilliseconds(500);
    }

    public ILiveSource Source => _source;

    /// <summary>Events analysed since the start.</summary>
    public long Events { get; private set; }

    /// <summary>Takes what the source has (waiting at most <paramref name="wait"/>) and analyses it; null when nothing
    /// came and no findings are due.</summary>
    public LiveUpdate? Step(TimeSpan wait)
    {
        var events = new List<TraceEvent>();
        var messages = new List<string>();
        bool more = _source.Next(events, messages, wait);
        ReplayCheckpoint? checkpoint = null;
        for (int i = 0; i < events.Count; i++)
        {
            var e = events[i];
            // One input for the log's lines: the source (a batch of the watch numbers its CPUs' streams as inputs).
            if (e.Source.Input != 0) events[i] = e with { Source = e.Source with { Input = 0 } };
            if (Events > 0 && Events % CheckpointEvents == 0)
                checkpoint = new ReplayCheckpoint(_analyzer.State.NowNs, Events, _analyzer.State.Clone());
            _analyzer.Observe(e);
            if (e.Pid > 0 && _analyzer.State.Tasks.Get(e.Pid) is { } task) _timelines.Track(task, e.TimestampNs);
            Events++;
        }
        _newSinceFindings |= events.Count > 0;
        IReadOnlyList<Finding>? findings = null;
        if (_newSinceFindings && (_clock.Elapsed >= _nextFindings || !more))
        {
            var asked = _clock.Elapsed;
            findings = _analyzer.Findings();
            var took = _clock.Elapsed - asked;
            // Every step when no interval is asked for (the tests).
            _nextFindings = _findingsEvery == TimeSpan.Zero ? TimeSpan.Zero : _clock.Elapsed + (took * 10 > _findingsEvery ? took * 10 : _findingsEvery);
            _newSinceFindings = false;
        }
        if (!more) findings ??= _analyzer.Findings();
        if (events.Count == 0 && findings is null && messages.Count == 0 && more) return null;
        return new LiveUpdate(events, findings, messages, checkpoint, Ended: !more) { Timelines = _timelines.Take() };
    }
}
