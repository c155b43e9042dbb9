using TraceForensics.Analysis.Findings;
using TraceForensics.Events.Model;
using TraceForensics.Events.Reading;
using TraceForensics.Ingest.Diagnostics;
using TraceForensics.Replay;

namespace TraceForensics.Analysis;

/// <summary>The one way to run an analysis: inputs and options in; findings, input summaries, diagnostics (and
/// progress on the way) out. The CLI, the TUI and the tests all come through here.</summary>
public static class TraceAnalysis
{
    /// <summary>Reads the session to its end (or <see cref="AnalysisOptions.UntilNs"/>), replaying and detecting as
    /// it goes. <paramref name="hooks"/> see each event before and after the replay applies it, with the state (the
    /// TUI keeps events, checkpoints and task states there); <paramref name="progress"/> is told the number of events read
    /// every 64k events, when the run also checks <paramref name="cancel"/>.</summary>
    public static AnalysisResult Run(TraceSession session, AnalysisOptions options, Action<long>? progress = null,
                                     AnalysisHooks? hooks = null, CancellationToken cancel = default)
    {
        var analyzer = new Analyzer(session.Tables.Stacks, options, session.Limits);
        hooks?.Started?.Invoke(analyzer.State);
        hooks?.Analyzing?.Invoke(analyzer);
        long n = 0;
        if (options.UntilNs is long stop) session.StopAfter(stop);
        while (true)
        {
            // In place where the reading left it (TraceSession.Next): the large event is not copied once more per event.
            ref readonly var e = ref session.Next();
            if (System.Runtime.CompilerServices.Unsafe.IsNullRef(in e)) break;
            if (options.UntilNs is long until && e.TimestampNs > until) break;
            hooks?.Applying?.Invoke(e, analyzer.State);
            analyzer.Observe(e);
            hooks?.Applied?.Invoke(e, analyzer.State);
            if ((++n & 0xFFFF) == 0)
            {
                cancel.ThrowIfCancellationRequested();
                progress?.Invoke(n);
            }
        }
        // The bounds the replay reached, said once the reading is over (the reading thread writes the log while it reads).
        analyzer.State.LimitsReached.DrainInto(session.Tables.Diagnostics, i => session.Inputs[i].Path);
        var findings = analyzer.Findings();
        CorruptedHungReports.Diagnose(findings, session);
        return new AnalysisResult(session.Inputs, findings, session.Tables.Diagnostics, n);
    }
}
