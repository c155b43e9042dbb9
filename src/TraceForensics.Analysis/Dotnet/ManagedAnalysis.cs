using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Events.Managed;
using TraceForensics.Replay.Evidence;

namespace TraceForensics.Analysis.Dotnet;

/// <summary>The wait-for analysis of a .NET process: a thread in Monitor.Enter waits for the lock object (observed
/// among its stack roots), which is held by its owner (observed in the sync block or thin lock). A closed chain is a
/// deadlock (a Monitor ABBA, a ring); a wait whose owner a dump cannot name (a wait handle, a task) is a hung chain
/// with its root unknown.</summary>
public static class ManagedAnalysis
{
    public static IReadOnlyList<Finding> Analyze(ManagedProcess process)
    {
        // The threads are tasks named after their managed ids, so the findings read like the kernel ones.
        var byOs = process.Threads.ToDictionary(t => (int)t.OsThreadId);
        TaskNode Node(int os) => new(os, 0, byOs.TryGetValue(os, out var t) ? $"managed-thread-{t.ManagedId}" : null);
        var graph = new WaitForGraph();
        foreach (var t in process.Threads)
        {
            var from = Node((int)t.OsThreadId);
            if (t.WaitsFor is { } l)
            {
                var node = new ManagedLockNode(l.Type, l.Address);
                graph.Add(new WaitEdge(from, node, l.Type == "System.Threading.Lock" ? Relation.WaitsForLock : Relation.WaitsForMonitor, null, []));
                if (l.OwnerOsThreadId is uint owner) graph.Add(new WaitEdge(node, Node((int)owner), Relation.HeldBy, null, []));
            }
            else if (t.OtherWait is { } other)
                graph.Add(new WaitEdge(from, new ManagedWaitNode(other), Relation.WaitsFor, InferenceRules.ManagedWaitWithoutOwner, []));
        }
        var findings = new List<(FindingKind Kind, string Summary, List<FindingTask> Tasks, List<WaitEdge> Chain, WaitNode? Root)>();
        var seen = new HashSet<string>();
        FindingTask Task(int os) => byOs.TryGetValue(os, out var t)
            ? new FindingTask(os, $"managed-thread-{t.ManagedId}", 0, t.Stack.FirstOrDefault(f => !f.StartsWith("System.Threading.", StringComparison.Ordinal) && !f.Contains("Frame", StringComparison.Ordinal)),
                [.. t.Stack], null) { SinceUnknown = true }
            : new FindingTask(os, $"thread {os}", 0, null, [], null) { SinceUnknown = true };
        foreach (var t in process.Threads.Where(t => t.WaitsFor is not null || t.OtherWait is not null))
        {
            var chain = graph.Chain(Node((int)t.OsThreadId), out bool cycle);
            if (chain.Count == 0) continue;
            if (cycle)
            {
                if (!seen.Add(WaitForGraph.CycleKey(chain))) continue;
                var tasks = chain.Select(e => e.From).OfType<TaskNode>().Select(n => Task(n.Pid)).ToList();
                findings.Add((FindingKind.Deadlock, $"deadlock (.NET locks): {ChainText.Narrate(chain)}", tasks, chain, null));
            }
            else if (seen.Add($"root:{NodeId.Format(chain[^1].To)}:{t.OsThreadId}"))
                findings.Add((FindingKind.HungTask, $"{Task((int)t.OsThreadId).Comm} waits for {chain[^1].To.Label}",
                    [Task((int)t.OsThreadId)], chain, chain[^1].To));
        }
        return findings.OrderByDescending(f => f.Kind).ThenBy(f => f.Summary, StringComparer.Ordinal)
            .Select((f, i) => new Finding { Id = $"F{i + 1}", Kind = f.Kind, Summary = f.Summary, AtNs = 0, Tasks = f.Tasks, Chain = f.Chain, Root = f.Root })
            .ToList();
    }
}
