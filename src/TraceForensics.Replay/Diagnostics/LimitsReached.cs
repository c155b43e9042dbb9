using TraceForensics.Events.Model;
using TraceForensics.Ingest.Diagnostics;
using TraceForensics.Ingest.Input;

namespace TraceForensics.Replay.Diagnostics;

/// <summary>The replay's diagnostics channel: the bounds of <see cref="InputLimits"/> the engine and its trackers reach,
/// one entry per bound and input with the first event that reached it and how many did. The replay reports here
/// (<see cref="Reach"/>), never into the session's <see cref="DiagnosticLog"/>, which the reading thread writes while
/// the replay runs; <see cref="DrainInto"/> moves the entries there once the reading is over, one diagnostic each.</summary>
public sealed class LimitsReached
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Limit, int Input), Entry> _reached = new();

    private sealed class Entry(long line, long value, string consequence)
    {
        public readonly long Line = line;
        public readonly long Value = value;
        public readonly string Consequence = consequence;
        public long Times;
    }

    /// <summary>Bound <paramref name="limit"/> (of value <paramref name="value"/>) reached by event <paramref name="e"/>;
    /// <paramref name="consequence"/> says what the replay did about it (kept from the first event only).</summary>
    public void Reach(string limit, long value, in TraceEvent e, string consequence)
    {
        var key = (limit, e.Source.Input);
        lock (_gate)
        {
            if (!_reached.TryGetValue(key, out var r)) _reached[key] = r = new Entry(e.Source.Line, value, consequence);
            r.Times++;
        }
    }

    /// <summary>Reports every bound reached into <paramref name="log"/> (a warning at the first event's line, with the count),
    /// in input, line and bound order, and forgets them. <paramref name="pathOf"/> names an input by its index. A bound
    /// whose name is in <paramref name="saidBefore"/> is not reported again; those reported are added to it (a caller that
    /// drains again and again, as a watch does, says each bound once).</summary>
    public void DrainInto(DiagnosticLog log, Func<int, string> pathOf, ISet<string>? saidBefore = null)
    {
        List<((string Limit, int Input) Key, Entry Entry)> reached;
        lock (_gate)
        {
            reached = _reached.Select(kv => (kv.Key, kv.Value)).ToList();
            _reached.Clear();
        }
        foreach (var (key, r) in reached.OrderBy(x => x.Key.Input).ThenBy(x => x.Entry.Line).ThenBy(x => x.Key.Limit, StringComparer.Ordinal))
            if (saidBefore?.Add(key.Limit) != false)
                log.Report(pathOf(key.Input), r.Line, DiagnosticSeverity.Warning, DiagnosticCodes.LimitReached,
                    $"{r.Consequence} ({InputLimits.Describe(key.Limit, r.Value)}; reached by {r.Times} event{(r.Times == 1 ? "" : "s")} of this input, the first here)");
    }
}
