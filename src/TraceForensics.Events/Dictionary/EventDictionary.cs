using TraceForensics.Events.Model;

namespace TraceForensics.Events.Dictionary;

/// <summary>The dictionary from kernel names to meanings: tracepoint names across kernel versions (page and
/// folio eras), kprobes recognised by the function they probe, and names a user maps with
/// <c>--events-map</c> (which win over the built-in names).</summary>
public sealed class EventDictionary
{
    private readonly Dictionary<string, EventKind> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EventKind> _byProbedFunction = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EventKind> _user = new(StringComparer.Ordinal);

    public EventDictionary()
    {
        foreach (var (kind, names) in KernelEventNames.Tracepoints)
            foreach (var n in names) _byName[n] = kind;
        foreach (var (kind, names) in KernelEventNames.Topology)
            foreach (var n in names) _byName[n] = kind;
        foreach (var (kind, funcs) in KernelEventNames.ProbedFunctions)
            foreach (var f in funcs) _byProbedFunction[f] = kind;
    }

    /// <summary>Every tracepoint name the dictionary knows, by meaning (vocabulary section 2), for `record` and `doctor`.</summary>
    public static IReadOnlyList<(EventKind Kind, string[] Names)> KnownTracepoints => KernelEventNames.Tracepoints;

    /// <summary>Maps an event name (as the trace prints it, without subsystem) to a meaning, overriding the built-in names.</summary>
    public void MapUserEvent(string eventName, EventKind kind) => _user[eventName] = kind;

    /// <summary>The meaning of a tracepoint name, or Unknown.</summary>
    public EventKind ByName(string eventName) =>
        _user.TryGetValue(eventName, out var k) ? k : _byName.GetValueOrDefault(eventName);

    /// <summary>The meaning of a kprobe on <paramref name="function"/> (entry) or of its kretprobe.</summary>
    public EventKind ByProbedFunction(string function, bool isReturn)
    {
        if (!_byProbedFunction.TryGetValue(function, out var kind)) return EventKind.Unknown;
        if (!isReturn) return kind;
        // A return from a page-lock slow path means the lock is now held; other returns add nothing.
        return kind == EventKind.PageLockWait ? EventKind.PageLockAcquired : EventKind.Unknown;
    }

    /// <summary>True when <paramref name="eventName"/> was mapped by the user.</summary>
    public bool IsUserMapped(string eventName) => _user.ContainsKey(eventName);
}
