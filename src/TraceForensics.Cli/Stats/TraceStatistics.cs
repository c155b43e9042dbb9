using TraceForensics.Events.Model;
using TraceForensics.Events.Reading;
using TraceForensics.Ingest.Diagnostics;

namespace TraceForensics.Cli.Stats;

/// <summary>What <c>tracefx stats</c> reports: per input what was read, events by name, distinct tasks and stacks,
/// and the diagnostics.</summary>
public sealed class TraceStatistics
{
    public required IReadOnlyList<InputSummary> Inputs { get; init; }
    /// <summary>Event counts by name (as printed, without subsystem), most frequent first, then by name.</summary>
    public required IReadOnlyList<(string Name, EventKind Kind, long Count)> Events { get; init; }
    public required int Tasks { get; init; }
    public required int Stacks { get; init; }
    public required DiagnosticLog Diagnostics { get; init; }

    /// <summary>Reads every event of the session and counts.</summary>
    public static TraceStatistics Collect(TraceSession session)
    {
        // Names are interned: count by reference (cheap), merge by value at the end.
        var counts = new Dictionary<string, (EventKind Kind, long Count)>(ReferenceEqualityComparer.Instance!);
        var tasks = new HashSet<int>();
        int lastPid = int.MinValue;
        while (session.Read(out var e))
        {
            if (e.Kind == EventKind.TraceGap) continue; // a marker, not an event
            ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, e.Name, out bool existed);
            if (!existed) slot.Kind = e.Kind;
            slot.Count++;
            if (e.Pid != lastPid) { tasks.Add(e.Pid); lastPid = e.Pid; }
        }
        var merged = counts
            .GroupBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(g => (Name: g.Key, g.First().Value.Kind, Count: g.Sum(kv => kv.Value.Count)))
            .OrderByDescending(x => x.Count).ThenBy(x => x.Name, StringComparer.Ordinal)
            .ToList();
        return new TraceStatistics
        {
            Inputs = session.Inputs,
            Events = merged,
            Tasks = tasks.Count,
            Stacks = session.Tables.Stacks.Count,
            Diagnostics = session.Tables.Diagnostics,
        };
    }
}
