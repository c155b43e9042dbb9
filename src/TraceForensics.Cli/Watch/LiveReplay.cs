using TraceForensics.Analysis;
using TraceForensics.Events.Model;
using TraceForensics.Events.Reading;
using TraceForensics.Ingest.Diagnostics;
using TraceForensics.Ingest.Input;
using TraceForensics.Ingest.TraceDat;

namespace TraceForensics.Cli.Watch;

/// <summary>The replay of a watch: each batch of ring-buffer pages is decoded as a trace.dat's pages are
/// (<see cref="TraceDatRecordSource.ForPages(TraceDatFile, IReadOnlyList{ValueTuple{int, Stream}})"/>, the recording's
/// formats and kallsyms read once), into the same tables (stack ids stay the same), and its events go to one
/// <see cref="Analyzer"/> that lives as long as the watch: the same replay and detectors as <c>analyze</c>, fed in time
/// order. A batch's events wait here until no CPU can still hand over an earlier one (<see cref="Release"/>): the
/// readers of the CPUs read at their own moments, so a page of one CPU may arrive after a later page of another, and
/// a wakeup replayed before the sleep it ends would leave a task blocked for ever.</summary>
internal sealed class LiveReplay
{
    private readonly TraceDatFile _metadata;
    private readonly EventTables _tables;
    private readonly List<TraceEvent> _waiting = [];
    private readonly Dictionary<int, long> _lastNs = new();

    public LiveReplay(TraceDatFile metadata, AnalysisOptions options, InputLimits? limits = null)
    {
        _metadata = metadata;
        _tables = new EventTables();
        Analyzer = new Analyzer(_tables.Stacks, options, limits);
    }

    public Analyzer Analyzer { get; }
    /// <summary>The tables the batches decode into (their stacks are the replay's).</summary>
    public EventTables Tables => _tables;
    /// <summary>Events replayed (after <see cref="CountFromNs"/>).</summary>
    public long Events { get; private set; }
    /// <summary>Events the ring buffer lost (in gaps after <see cref="CountFromNs"/>).</summary>
    public long LostEvents { get; private set; }
    /// <summary>Events at or before this time are not counted: a replay started again from the window goes over events
    /// the one before it counted.</summary>
    public long CountFromNs { get; init; } = long.MinValue;
    /// <summary>The time of the last event replayed (trace nanoseconds); long.MinValue before the first.</summary>
    public long NowNs { get; private set; } = long.MinValue;

    /// <summary>The newest event time decoded from <paramref name="cpu"/>, or null when none was.</summary>
    public long? LastOf(int cpu) => _lastNs.TryGetValue(cpu, out long ns) ? ns : null;

    /// <summary>Decodes a batch of pages; its events wait for <see cref="Release"/>.</summary>
    public void Decode(List<(int Cpu, List<byte[]> Pages)> batch)
    {
        if (batch.Count == 0) return;
        // A tick's pages, copied once into one array per CPU.
        var streams = batch.Select(b => (b.Cpu, (Stream)new MemoryStream(Concat(b.Pages), writable: false))).ToList();
        using var session = TraceSession.Open("ring buffer", TraceDatRecordSource.ForPages(_metadata, streams),
            new TraceSessionOptions { SharedTables = _tables, Parallelism = 1 });
        while (session.Read(out var e))
        {
            _waiting.Add(e);
            if (!_lastNs.TryGetValue(e.Cpu, out long last) || e.TimestampNs > last) _lastNs[e.Cpu] = e.TimestampNs;
            if (e.Kind == EventKind.TraceGap && e.TimestampNs > CountFromNs) LostEvents += Math.Max(0, e.Payload.Count ?? 0);
        }
        // A batch is a session of its own, and a session drops a lost-events mark that comes before any event of its own
        // (nothing before it to doubt): here there is, the replay before the batch. Each page that follows lost events
        // puts a gap just before its first event (the page's timestamp; the count, when kept, is the session's).
        foreach (var (cpu, pages) in batch)
            foreach (var page in pages)
                if (page.Length >= 16 && PageWindow.FollowsLostEvents(page, _metadata.CommitSize))
                    _waiting.Add(Gap(cpu, (long)Math.Min(PageWindow.Start(page), long.MaxValue) - 1));
    }

    /// <summary>Told each event as it is replayed (<c>tracefx tui --live</c> shows them), on the watch's thread.</summary>
    public Action<TraceEvent>? Released { get; set; }

    /// <summary>Replays, in time order, the waiting events at or before <paramref name="upToNs"/>.</summary>
    public void Release(long upToNs)
    {
        if (_waiting.Count == 0) return;
        // Stable: events of one time keep their decoding order (a CPU's own order, the stack after its event).
        var ordered = _waiting.Select((e, i) => (e, i)).OrderBy(p => p.e.TimestampNs).ThenBy(p => p.i).Select(p => p.e).ToList();
        _waiting.Clear();
        foreach (var e in ordered)
        {
            if (e.TimestampNs > upToNs) { _waiting.Add(e); continue; }
            Analyzer.Observe(e);
            if (e.TimestampNs > CountFromNs)
            {
                // A replay started again from the window goes over events already told.
                Events++;
                Released?.Invoke(e);
            }
            NowNs = Math.Max(NowNs, e.TimestampNs);
        }
    }

    /// <summary>Says on <paramref name="stderr"/> each bound of <see cref="InputLimits"/> the replay reached since the last
    /// call (<see cref="Replay.Diagnostics.LimitsReached"/>), once per bound for the whole watch (<paramref name="said"/>
    /// holds the names of those already said, across restarts): a bound reached is a fact the findings may lack.</summary>
    public void SayLimitsReached(ISet<string> said, TextWriter stderr)
    {
        var log = new DiagnosticLog();
        Analyzer.State.LimitsReached.DrainInto(log, _ => "ring buffer", said);
        foreach (var d in log.Kept) stderr.WriteLine(UntrustedText.ForTerminal($"tracefx: {d.Message}"));
    }

    private static TraceEvent Gap(int cpu, long ns)
    {
        var gap = new TraceEvent { TimestampNs = ns, Cpu = cpu, Pid = -1, Tgid = -1, Comm = "", Name = "lost_events", Kind = EventKind.TraceGap };
        gap.Payload.Count = -1;
        return gap;
    }

    private static byte[] Concat(List<byte[]> pages)
    {
        var all = new byte[pages.Sum(p => p.Length)];
        int at = 0;
        foreach (var p in pages) { p.CopyTo(all, at); at += p.Length; }
        return all;
    }
}
