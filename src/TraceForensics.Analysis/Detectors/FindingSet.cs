using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Replay;

namespace TraceForensics.Analysis.Detectors;

/// <summary>The findings the detectors report at one time, in the order of the detector list; ranked into
/// <see cref="Finding"/>s (worst first, then by time, then by summary) with ids F1, F2...</summary>
public sealed class FindingSet
{
    private readonly List<(FindingKind Kind, string Summary, long At, IReadOnlyList<FindingTask> Tasks, IReadOnlyList<WaitEdge> Chain, WaitNode? Root)> _found = new();
    private readonly HashSet<int> _deadlocked = new();

    public void Add(FindingKind kind, string summary, long atNs, IReadOnlyList<FindingTask> tasks, IReadOnlyList<WaitEdge> chain, WaitNode? root)
    {
        // Copies: a finding shares no list with the detector that made it.
        _found.Add((kind, summary, atNs, tasks.ToArray(), chain.ToArray(), root));
        if (kind == FindingKind.Deadlock)
            foreach (var t in tasks) _deadlocked.Add(t.Pid);
    }

    /// <summary>Pids of the tasks in the deadlocks reported so far: later detectors leave out what those show.</summary>
    public IReadOnlySet<int> Deadlocked => _deadlocked;

    /// <summary>The findings ranked, the blocked interval of each blocked task closed where the state shows it ended.</summary>
    public IReadOnlyList<Finding> Rank(ReplayState s)
    {
        var ranked = _found
            .OrderByDescending(f => f.Kind).ThenBy(f => f.At).ThenBy(f => f.Summary, StringComparer.Ordinal)
            .Select((f, i) => (Id: $"F{i + 1}", f.Kind, f.Summary, f.At, f.Chain, f.Root, Tasks: f.Tasks.Select(t => WithEnd(s, t)).ToArray()))
            .ToList();
        // A task in several blocking findings (a pooled kworker behind one frozen filesystem, then behind another) is
        // in each with that interval, and each says where else it is.
        var blocking = ranked.Where(f => f.Kind is FindingKind.Deadlock or FindingKind.Stall or FindingKind.HungTask).ToList();
        var byTask = blocking.SelectMany(f => f.Tasks.Select(t => (Key: (t.Pid, t.Generation), f.Id))).ToLookup(x => x.Key, x => x.Id);
        return ranked.Select(f => new Finding
        {
            Id = f.Id, Kind = f.Kind, Summary = f.Summary, AtNs = f.At, Chain = f.Chain, Root = f.Root,
            Tasks = f.Kind is FindingKind.Deadlock or FindingKind.Stall or FindingKind.HungTask
                ? f.Tasks.Select(t => byTask[(t.Pid, t.Generation)].Distinct().Where(id => id != f.Id).ToArray() is { Length: > 0 } others
                    ? t with { AlsoIn = [.. others] } : t).ToArray()
                : f.Tasks,
        }).ToList();
    }

    /// <summary>A task no longer in the wait it was found in ended it when its state last changed. Nothing is said when
    /// the state says nothing: a later life of the same pid, a task whose state the input never showed (a lockdep
    /// report's task), or a change before the wait began.</summary>
    private static FindingTask WithEnd(ReplayState s, FindingTask t)
    {
        var record = s.Tasks.Get(t.Pid);
        if (record is null || record.Generation != t.Generation || record.State == Replay.Tasks.TaskRunState.Unknown
            || record.StateSinceNs < t.BlockedSinceNs) return t;
        return record.IsBlocked && record.StateSinceNs == t.BlockedSinceNs ? t : t with { BlockedUntilNs = record.StateSinceNs };
    }
}
