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
        _found.Add((kind, summary, atNs, tasks, chain, root));
        if (kind == FindingKind.Deadlock)
            foreach (var t in tasks) _deadlocked.Add(t.Pid);
    }

    /// <summary>Pids of the tasks in the deadlocks reported so far: later detectors leave out what those show.</summary>
    public IReadOnlySet<int> Deadlocked => _deadlocked;

    /// <summary>The findings ranked, each task's blocked interval closed where the state shows it ended.</summary>
    public IReadOnlyList<Finding> Rank(ReplayState s) => _found
        .OrderByDescending(f => f.Kind).ThenBy(f => f.At).ThenBy(f => f.Summary, StringComparer.Ordinal)
        .Select((f, i) => new Finding
        {
            Id = $"F{i + 1}", Kind = f.Kind, Summary = f.Summary, AtNs = f.At, Tasks = f.Tasks.Select(t => WithEnd(s, t)).ToList(), Chain = f.Chain, Root = f.Root,
        })
        .ToList();

    /// <summary>A task blocked since the finding's time that is no longer in that wait ended it when its state last changed.</summary>
    private static FindingTask WithEnd(ReplayState s, FindingTask t)
    {
        var record = s.Tasks.Get(t.Pid);
        return record is null || record.IsBlocked && record.StateSinceNs == t.BlockedSinceNs ? t : t with { BlockedUntilNs = record.StateSinceNs };
    }
}
