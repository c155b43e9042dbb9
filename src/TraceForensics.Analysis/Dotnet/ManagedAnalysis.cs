using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Events.Managed;
using TraceForensics.Events.Model;
using TraceForensics.Replay;

namespace TraceForensics.Analysis.Dotnet;

/// <summary>The wait-for analysis of a .NET process: a thread in Monitor.Enter waits for the lock object (observed
/// among its stack roots), which is held by its owner (observed in the sync block or thin lock). A closed chain is a
/// deadlock (a Monitor ABBA, a ring); a wait whose owner a dump cannot name (a wait handle, a task) is a hung chain
/// with its root unknown.</summary>
public static class ManagedAnalysis
{
    public static (IReadOnlyList<Finding> Findings, ReplayState State) Analyze(ManagedProcess process)
    {
        // The threads become tasks named after their managed ids, so the findings read like the kernel ones.
        var engine = new ReplayEngine(new StackTable());
        foreach (var t in process.Threads)
            engine.Apply(new TraceEvent { Pid = (int)t.OsThreadId, Comm = $"managed-thread-{t.ManagedId}", Name = "thread", Tgid = -1, Cpu = -1 });
        var graph = new WaitForGraph();
        foreach (var t in process.Threads)
        {
            var from = NodeIds.Task((int)t.OsThreadId);
            if (t.WaitsFor is { } l)
            {
                var node = NodeIds.Lock($"{l.Type}@0x{l.Address:x}");
                graph.Add(new WaitEdge(from, node, l.Type == "System.Threading.Lock" ? "waits-for-lock" : "waits-for-monitor", true, null, []));
                if (l.OwnerOsThreadId is uint owner) graph.Add(new WaitEdge(node, NodeIds.Task((int)owner), "held-by", true, null, []));
            }
            else if (t.OtherWait is { } other)
                graph.Add(new WaitEdge(from, NodeIds.Lock($"{other} (owner unknown)"), "waits-for", false, "managed-wait-without-owner", []));
        }
        var findings = new List<(FindingKind Kind, string Summary, List<FindingTask> Tasks, List<WaitEdge> Chain, string? Root)>();
        var seen = new HashSet<string>();
        var byOs = process.Threads.ToDictionary(t => (int)t.OsThreadId);
        FindingTask Task(int os) => byOs.TryGetValue(os, out var t)
            ? new FindingTask(os, $"managed-thread-{t.ManagedId}", 0, t.Stack.FirstOrDefault(f => !f.StartsWith("System.Threading.", StringComparison.Ordinal) && !f.Contains("Frame", StringComparison.Ordinal)),
                [.. t.Stack], null) { SinceUnknown = true }
            : new FindingTask(os, $"thread {os}", 0, null, [], null) { SinceUnknown = true };
        foreach (var t in process.Threads.Where(t => t.WaitsFor is not null || t.OtherWait is not null))
        {
            var chain = graph.Chain(NodeIds.Task((int)t.OsThreadId), out bool cycle);
            if (chain.Count == 0) continue;
            if (cycle)
            {
                var key = WaitForGraph.CycleKey(chain);
                if (!seen.Add(key)) continue;
                var tasks = chain.Select(e => e.From).Where(n => NodeIds.IsTask(n, out _)).Select(n => { NodeIds.IsTask(n, out int p); return Task(p); }).ToList();
                findings.Add((FindingKind.Deadlock, $"deadlock (.NET locks): {ChainText.Narrate(chain, engine.State)}", tasks, chain, null));
            }
            else if (seen.Add($"root:{chain[^1].To}:{t.OsThreadId}"))
                findings.Add((FindingKind.HungTask, $"{Task((int)t.OsThreadId).Comm} waits for {NodeText.Describe(chain[^1].To, engine.State)}",
                    [Task((int)t.OsThreadId)], chain, chain[^1].To));
        }
        return (findings.OrderByDescending(f => f.Kind).ThenBy(f => f.Summary, StringComparer.Ordinal)
            .Select((f, i) => new Finding { Id = $"F{i + 1}", Kind = f.Kind, Summary = f.Summary, AtNs = 0, Tasks = f.Tasks, Chain = f.Chain, Root = f.Root })
            .ToList(), engine.State);
    }
}
