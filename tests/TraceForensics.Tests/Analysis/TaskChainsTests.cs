using System.Text;
using TraceForensics.Analysis;
using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Events.Model;
using TraceForensics.Events.Reading;
using TraceForensics.Replay;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Analysis;

/// <summary><see cref="TaskChains"/> reads the chain <see cref="WaitForGraph.Chain"/> reads from the whole graph, edge for
/// edge, after every event; and a ring's cycle is held once and seen from each of its nodes.</summary>
public class TaskChainsTests
{
    /// <summary>A kernel log of <paramref name="n"/> tasks, each hung in __mutex_lock and named by khungtaskd as waiting
    /// for the next one's mutex (the last for the first's), then <paramref name="tail"/> tasks waiting for ring tasks.</summary>
    private static string Ring(int n, int tail = 0, bool closed = true)
    {
        var b = new StringBuilder();
        void Hung(int i, int pid, int owner, string ownerComm)
        {
            var p = $"[{100 + i * 0.001:F6}] ";
            b.Append($"{p}INFO: task t{i}:{pid} blocked for more than 120 seconds.\n");
            b.Append($"{p}Call Trace:\n{p} __schedule+0x3dc/0xf60\n{p} __mutex_lock+0x75f/0xeb0\n{p} ring_step+0x1/0x2\n");
            b.Append($"{p}INFO: task t{i}:{pid} is blocked on a mutex likely owned by task {ownerComm}:{owner}.\n");
        }
        for (int i = 0; i < n; i++)
            if (closed || i < n - 1) Hung(i, 1000 + i, 1000 + (i + 1) % n, $"t{(i + 1) % n}");
            else Hung(i, 1000 + i, 9999, "running"); // a line: the last waits for a task that is not reported
        for (int j = 0; j < tail; j++) Hung(n + j, 5000 + j, 1000 + j % n, $"t{j % n}");
        return b.ToString();
    }

    /// <summary>After each event, for every blocked task: the lazy reading (<see cref="TaskChains.At"/>) and the reading
    /// of the built graph (<see cref="TaskChains.Of"/>) give the edges and the cycle flag the graph's own walk gives.</summary>
    private static int CompareAfterEachEvent(TraceSession session)
    {
        int compared = 0;
        var hooks = new AnalysisHooks
        {
            Applied = (in TraceEvent _, ReplayState s) =>
            {
                var graph = WaitForGraphBuilder.Build(s);
                var lazy = TaskChains.At(s);
                var built = TaskChains.Of(graph, s);
                foreach (var t in s.Tasks.Blocked.OrderBy(t => t.Pid))
                {
                    var node = WaitForGraphBuilder.Task(t);
                    var expected = graph.Chain(node, out bool expectedCycle);
                    Assert.Equal(Signature(expected), Signature(lazy.Chain(node, out bool lazyCycle)));
                    Assert.Equal(expectedCycle, lazyCycle);
                    Assert.Equal(Signature(expected), Signature(built.Chain(node, out bool builtCycle)));
                    Assert.Equal(expectedCycle, builtCycle);
                    compared++;
                }
            },
        };
        TraceAnalysis.Run(session, new AnalysisOptions(), hooks: hooks);
        return compared;
    }

    /// <summary>An edge as text, its evidence lines included (a record compares its list of lines by reference).</summary>
    private static List<string> Signature(IReadOnlyList<WaitEdge> chain) =>
        [.. chain.Select(e => $"{e.From.Id()} {e.RelationId()} {e.To.Id()} [{e.Mark}] witness={e.Witness?.Id()} lines={string.Join(";", e.Lines)}")];

    private static TraceSession Session(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return TraceSession.Open([("test", () => (Stream)new MemoryStream(bytes))], new TraceSessionOptions());
    }

    [Fact]
    public void A_ring_with_waiters_behind_it_reads_as_the_whole_graph_after_every_event()
    {
        using var session = Session(Ring(7, tail: 4));
        Assert.True(CompareAfterEachEvent(session) > 40);
    }

    [Fact]
    public void Held_locks_lists_and_page_locks_read_as_the_whole_graph_after_every_event()
    {
        // Held-locks lists (a lock's holder named by another task's list) and an unnamed page lock's sole holder: chains
        // that reach objects whose edges other tasks add, where the lazy reading builds the graph.
        using (var session = Session(HugetlbAbbaLog.Text)) Assert.True(CompareAfterEachEvent(session) > 0);
        using (var session = TraceSession.Open([Path.Combine(TestPaths.SampleTraces, "lkml-xfs-kprobe-holder.ftrace.txt")]))
            Assert.True(CompareAfterEachEvent(session) > 0);
        using (var session = TraceSession.Open([Path.Combine(TestPaths.SampleTraces, "xfs-bio-never-completes.ftrace.txt")]))
            Assert.True(CompareAfterEachEvent(session) > 0);
    }

    [Fact]
    public void Every_task_of_a_ring_sees_one_cycle_starting_at_itself()
    {
        using var session = Session(Ring(5));
        ReplayState? end = null;
        TraceAnalysis.Run(session, new AnalysisOptions(), hooks: new AnalysisHooks { Applied = (in TraceEvent _, ReplayState s) => end = s });
        var chains = TaskChains.Of(WaitForGraphBuilder.Build(end!), end!);
        var blocked = end!.Tasks.Blocked.OrderBy(t => t.Pid).ToList();
        Assert.Equal(5, blocked.Count);
        Cycle? shared = null;
        foreach (var t in blocked)
        {
            var chain = chains.Chain(WaitForGraphBuilder.Task(t), out bool cycle);
            Assert.True(cycle);
            Assert.Equal(5, chain.Count);
            Assert.Equal(t.Pid, ((TaskNode)chain[0].From).Pid);
            Assert.Equal(chain.Select(e => e.From).Skip(1).Append(chain[0].From), chain.Select(e => e.To)); // closed, in order
            Assert.Equal(chain.ToList(), Enumerable.Range(0, chain.Count).Select(i => chain[i]));
            Assert.Throws<ArgumentOutOfRangeException>(() => chain[5]);
            var of = Cycle.Of(chain);
            Assert.NotNull(of);
            Assert.Same(shared ?? of, of);
            shared = of;
        }
        Assert.Equal(WaitForGraph.CycleKey(shared!.Edges), shared.Key);
    }

    [Fact]
    public void A_ring_of_many_tasks_is_one_deadlock_of_all_of_them_told_from_the_first_blocked()
    {
        var findings = Analyze.Text(Ring(300, tail: 20));
        var d = Assert.Single(findings, f => f.Kind == FindingKind.Deadlock);
        Assert.Equal(300, d.Tasks.Count);
        Assert.Equal(300, d.Chain.Count);
        Assert.Equal(1000, ((TaskNode)d.Chain[0].From).Pid);
        Assert.Equal(Enumerable.Range(1000, 300), d.Tasks.Select(t => t.Pid).Order());
    }

    [Fact]
    public void Tasks_of_a_line_read_their_chains_as_tails_of_one_in_any_order()
    {
        using var session = Session(Ring(6, tail: 3, closed: false));
        ReplayState? end = null;
        TraceAnalysis.Run(session, new AnalysisOptions(), hooks: new AnalysisHooks { Applied = (in TraceEvent _, ReplayState s) => end = s });
        var graph = WaitForGraphBuilder.Build(end!);
        var blocked = end!.Tasks.Blocked.OrderBy(t => t.Pid).ToList();
        Assert.Equal(9, blocked.Count);
        // First task first (the others' chains are tails of its chain), then nearest the root first (each chain is its
        // first edge then a tail already read): both as the graph's own walk.
        foreach (var order in new[] { blocked, Enumerable.Reverse(blocked).ToList() })
        {
            var chains = TaskChains.Of(graph, end!);
            foreach (var t in order)
            {
                var node = WaitForGraphBuilder.Task(t);
                var chain = chains.Chain(node, out bool cycle);
                Assert.False(cycle);
                Assert.Equal(Signature(graph.Chain(node, out _)), Signature(chain));
                Assert.Equal(9999, ((TaskNode)chain[^1].To).Pid);
            }
            var first = chains.Chain(WaitForGraphBuilder.Task(blocked[0]), out _);
            var second = chains.Chain(WaitForGraphBuilder.Task(blocked[1]), out _);
            Assert.Equal(6, first.Count);
            // Read first-task first, the second's chain is a view of the first's array (read the other way, of the array
            // of a waiter behind it that was read before).
            if (order == blocked) Assert.Same(((ArraySegment<WaitEdge>)first).Array, ((ArraySegment<WaitEdge>)second).Array);
        }
        var f = Assert.Single(Analyze.Text(Ring(200, closed: false)));
        Assert.Equal(FindingKind.HungTask, f.Kind);
        Assert.Equal(200, f.Tasks.Count);
        Assert.Equal(200, f.Chain.Count);
        Assert.Equal(Enumerable.Range(1000, 200), f.Chain.Select(e => ((TaskNode)e.From).Pid));
    }

    [Fact]
    public void A_ring_through_held_locks_lists_is_one_deadlock_found_by_lock_address()
    {
        // Each task waits in __mutex_lock for the mutex the next task's list shows it holding (the last entry of a list is
        // the lock its task waits for); no "likely owned by" line: the holder is found by the lock's address.
        const int n = 40;
        var b = new StringBuilder();
        for (int i = 0; i < n; i++)
        {
            var p = $"[{100 + i * 0.001:F6}] ";
            b.Append($"{p}INFO: task t{i}:{1000 + i} blocked for more than 120 seconds.\n");
            b.Append($"{p}Call Trace:\n{p} __schedule+0x3dc/0xf60\n{p} __mutex_lock+0x75f/0xeb0\n{p} ring_step+0x1/0x2\n");
        }
        b.Append("[200.000000] Showing all locks held in the system:\n");
        for (int i = 0; i < n; i++)
        {
            b.Append($"[200.000000] 2 locks held by t{i}/{1000 + i}:\n");
            b.Append($"[200.000000]  #0: {0xffff888000000000 + (ulong)i * 0x40:x16} (&ring_lock#{i}){{+.+.}}-{{4:4}}, at: ring_step+0x1/0x2\n");
            b.Append($"[200.000000]  #1: {0xffff888000000000 + (ulong)((i + 1) % n) * 0x40:x16} (&ring_lock#{(i + 1) % n}){{+.+.}}-{{4:4}}, at: ring_step+0x1/0x2\n");
        }
        var d = Assert.Single(Analyze.Text(b.ToString()), f => f.Kind == FindingKind.Deadlock);
        Assert.Equal(Enumerable.Range(1000, n), d.Tasks.Select(t => t.Pid).Order());
        Assert.Equal(2 * n, d.Chain.Count); // task -> lock -> task ...
        var heldBy = d.Chain.Where(e => e.From is KernelLockNode).ToList();
        Assert.Equal(n, heldBy.Count);
        Assert.All(heldBy, e => Assert.Equal($"&ring_lock#{((TaskNode)e.To).Pid - 1000}", ((KernelLockNode)e.From).Name));
    }
}
