using TraceForensics.Events.Dictionary;
using TraceForensics.Events.Model;

namespace TraceForensics.Cli.Capture;

/// <summary>`--events LIST` of `record` and `doctor`: the families of the trace vocabulary to record (a family is an
/// event meaning, named as the output names it: <c>sched-switch</c>, <c>writeback-wait</c>, <c>page-lock-wait</c>).
/// LIST is comma-separated: a family adds it, <c>-family</c> removes it, <c>default</c> is what `record` records
/// without the option (everything the replay uses), <c>all</c> every family tracefx knows a tracepoint or probe for.
/// The items apply left to right, starting from nothing: <c>default,-work-queued</c>, <c>default,page-alloc</c>.</summary>
internal static class EventSelection
{
    /// <summary>Every family that has a tracepoint in the event dictionary or a probe in the plan.</summary>
    public static IReadOnlyList<EventKind> Families { get; } = EventDictionary.KnownTracepoints.Select(t => t.Kind)
        .Concat(RecordingPlan.ProbeFamilies).Where(k => k is not (EventKind.Unknown or EventKind.TraceGap)).Distinct().Order().ToList();

    /// <summary>The selection of <paramref name="list"/>; null with the reason when an item names no family.</summary>
    public static IReadOnlySet<EventKind>? Parse(string? list, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(list)) return RecordingPlan.Default;
        var chosen = new SortedSet<EventKind>();
        foreach (var raw in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            bool remove = raw.StartsWith('-');
            var name = remove ? raw[1..] : raw;
            IEnumerable<EventKind> kinds;
            if (name == "default") kinds = RecordingPlan.Default;
            else if (name == "all") kinds = Families;
            else if (EventKindNames.TryParse(name, out var kind) && Families.Contains(kind)) kinds = [kind];
            else
            {
                error = $"--events: \"{UntrustedText.ForTerminal(name)}\" is not a family; families: default, all, {string.Join(", ", Families.Select(k => k.Name()))}";
                return null;
            }
            foreach (var k in kinds)
                if (remove) chosen.Remove(k);
                else chosen.Add(k);
        }
        if (chosen.Count == 0) { error = "--events: the selection is empty"; return null; }
        return chosen;
    }

    /// <summary>The selection as a list of family names, or "default" when it is the default.</summary>
    public static string Describe(IReadOnlySet<EventKind> selection) =>
        selection.SetEquals(RecordingPlan.Default) ? "default" : string.Join(",", selection.Order().Select(k => k.Name()));
}
