using System.Text.Json;
using System.Text.RegularExpressions;
using TraceForensics.Analysis;
using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Events.Model;
using TraceForensics.Replay.Evidence;
using TraceForensics.Replay.Pages;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Analysis;

/// <summary>The typed wait-for model: node ids come from one formatter (a reused pid is another task), every relation
/// and rule has its words, and the rules a finding cites are in the table <c>tracefx rules</c> prints.</summary>
public class WaitModelTests
{
    /// <summary>pid 4005 lives twice: the first life exits, the second is forked with the same pid and blocks.</summary>
    private const string ReusedPid =
        "              dd-4005    [001] .....    99.000000: sched_process_exit: comm=dd pid=4005 prio=120\n" +
        "            bash-3954    [000] .....    99.500000: sched_process_fork: comm=bash pid=3954 child_comm=bash child_pid=4005\n" +
        "              dd-4005    [001] .....   100.000000: folio_wait_writeback: bdi 8:16: ino=131 index=0\n" +
        "              dd-4005    [001] d..2.   100.000010: sched_switch: prev_comm=dd prev_pid=4005 prev_prio=120 prev_state=D ==> next_comm=swapper/1 next_pid=0 next_prio=120\n" +
        "            bash-3954    [000] .....   105.000000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n";

    [Fact]
    public void A_reused_pid_is_a_later_generation_and_its_id_says_so()
    {
        var f = Assert.Single(Analyze.Text(ReusedPid));
        var from = Assert.IsType<TaskNode>(f.Chain[0].From);
        Assert.Equal((4005, 1), (from.Pid, from.Generation));
        Assert.Equal("task:4005#1", NodeId.Format(from));
        Assert.Equal("bash:4005#1", from.Label); // forked as bash (no exec seen), the second life of 4005
        // The JSON contract keeps task:PID for a first life and adds #N for later ones.
        var (_, json, _) = Run.Cli("analyze", "--format", "json", Run.TempFile(ReusedPid));
        var chain = JsonDocument.Parse(json).RootElement.GetProperty("findings")[0].GetProperty("chain");
        Assert.Equal("task:4005#1", chain[0].GetProperty("from").GetString());
        Assert.Equal("writeback:8:16:131:0", chain[0].GetProperty("to").GetString());
    }

    /// <summary>What the input says of a later life of a pid (a hang report, the end of its wait) is not said of an
    /// earlier one.</summary>
    [Fact]
    public void A_later_life_of_a_pid_lends_nothing_to_an_earlier_one()
    {
        const string text =
            "              dd-4005    [001] .....    10.000000: folio_wait_writeback: bdi 8:16: ino=131 index=0\n" +
            "              dd-4005    [001] d..2.    10.000010: sched_switch: prev_comm=dd prev_pid=4005 prev_prio=120 prev_state=D ==> next_comm=swapper/1 next_pid=0 next_prio=120\n" +
            "            bash-3954    [000] .....    15.000000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n" +
            "            bash-3954    [000] .....    16.000000: sched_waking: comm=dd pid=4005 prio=120 target_cpu=001\n" +
            "              dd-4005    [001] .....    16.100000: sched_process_exit: comm=dd pid=4005 prio=120\n" +
            "            bash-3954    [000] .....    17.000000: sched_process_fork: comm=bash pid=3954 child_comm=bash child_pid=4005\n" +
            "            bash-4005    [001] .....    18.000000: folio_wait_writeback: bdi 8:16: ino=131 index=1\n" +
            "            bash-4005    [001] d..2.    18.000010: sched_switch: prev_comm=bash prev_pid=4005 prev_prio=120 prev_state=D ==> next_comm=swapper/1 next_pid=0 next_prio=120\n" +
            "      khungtaskd-31      [001] .....    24.000060: sched_process_hang: comm=bash pid=4005\n" +
            "            bash-3954    [000] .....    25.000000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n";
        var findings = Analyze.Text(text);
        var first = Assert.Single(findings, f => f.Tasks.Any(t => t.Generation == 0)).Tasks.Single();
        var second = Assert.Single(findings, f => f.Tasks.Any(t => t.Generation == 1)).Tasks.Single();
        Assert.Null(first.HangReport);
        Assert.Null(first.BlockedUntilNs); // its record is gone: the later life's state says nothing of it
        Assert.NotNull(second.HangReport);
        Assert.Null(second.BlockedUntilNs);
    }

    [Fact]
    public void Task_nodes_are_the_same_task_whatever_comm_labels_them()
    {
        Assert.Equal(new TaskNode(7, 0, "a"), new TaskNode(7, 0, "b"));
        Assert.NotEqual(new TaskNode(7, 0, "a"), new TaskNode(7, 1, "a"));
        Assert.Equal("task 7", new TaskNode(7, 0, null).Label);
    }

    [Fact]
    public void Node_ids_follow_the_findings_contract()
    {
        var page = new PageKey(new DeviceNumber(7, 2), 131, 5);
        Assert.Equal("task:12", NodeId.Format(new TaskNode(12, 0, "x")));
        Assert.Equal("pagelock:7:2:131:5", NodeId.Format(new PageLockNode(page)));
        Assert.Equal("pagelock:unknown-for-12", NodeId.Format(new PageLockNode(null, 12)));
        Assert.Equal("writeback:7:2:131:5", NodeId.Format(new WritebackNode(page)));
        Assert.Equal("bio:7:2:192", NodeId.Format(new BioNode(new DeviceNumber(7, 2), 192, 12)));
        Assert.Equal("bio:7:2:unsubmitted-by-12", NodeId.Format(new BioNode(new DeviceNumber(7, 2), null, 12)));
        Assert.Equal("device:254:0", NodeId.Format(new DeviceNode(new DeviceNumber(254, 0))));
        Assert.Equal("lock:0xffff8880", NodeId.Format(KernelLockNode.At(0xffff8880)));
        Assert.Equal("freeze:254:0", NodeId.Format(new FrozenFsNode(new DeviceNumber(254, 0))));
        Assert.Equal("freeze:unknown", NodeId.Format(new FrozenFsNode(null)));
        Assert.Equal("class:page-writeback", NodeId.Format(new WaitClassNode(WaitClass.PageWriteback)));
    }

    [Fact]
    public void Every_relation_has_words_and_a_distinct_id()
    {
        var relations = Enum.GetValues<Relation>();
        Assert.All(relations, r => Assert.True(RelationWords.Covers(r), $"{r} has no words"));
        Assert.Equal(relations.Length, relations.Select(r => RelationWords.Of(r).Id).Distinct().Count());
        var witnessed = new WaitEdge(new WaitClassNode(WaitClass.PageLock), new WaitClassNode(WaitClass.PageWriteback), Relation.HeldThenWaitedBy,
            InferenceRules.FaultHoldsFaultedPage, []) { Witness = new TaskNode(47211, 0, "postgres") };
        Assert.Equal("held-then-waited-by:postgres:47211", RelationWords.IdOf(witnessed));
        Assert.Equal("a page lock was held by postgres:47211 while it waited for page writeback  [inferred: fault-holds-faulted-page]",
            RelationWords.Line(witnessed));
    }

    [Fact]
    public void Rule_ids_are_distinct_and_a_cited_witness_finds_its_rule()
    {
        Assert.Equal(InferenceRules.All.Count, InferenceRules.All.Select(r => r.Id).Distinct().Count());
        Assert.All(InferenceRules.All, r => Assert.Matches(@"\.(c|h|cpp) ", r.Source + " ")); // names a kernel (or runtime) source file
        Assert.Same(InferenceRules.BlockedStack, InferenceRules.Find("blocked-stack:folio_wait_writeback"));
        Assert.Null(InferenceRules.Find("blocked"));
        Assert.Null(InferenceRules.Find("no-such-rule"));
    }

    /// <summary>Every rule the checked-in outputs cite is in the table, so a reader can look each one up.</summary>
    [Fact]
    public void Every_rule_the_golden_outputs_cite_is_in_the_table()
    {
        var cited = Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "tests", "golden"), "*.json")
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), "\"rule\": \"([^\"]+)\"").Select(m => m.Groups[1].Value)).Distinct().ToList();
        Assert.NotEmpty(cited);
        Assert.All(cited, id => Assert.NotNull(InferenceRules.Find(id)));
    }

    /// <summary>String node ids are made by <see cref="NodeId"/> and nowhere else in the product (the kernel log's own
    /// <c>task:</c> text, a UTF-8 literal the tokenizer matches, is not a node id).</summary>
    [Fact]
    public void No_source_file_but_the_formatter_builds_a_node_id()
    {
        var pattern = new Regex("\"(task|pagelock|writeback|bio|device|lock|freeze|class):(?![^\"]*\"u8)");
        var offenders = Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && Path.GetFileName(f) != "NodeId.cs")
            .SelectMany(f => File.ReadLines(f).Select((l, i) => (f, i, l)))
            .Where(x => pattern.IsMatch(x.l))
            .Select(x => $"{Path.GetRelativePath(TestPaths.RepoRoot, x.f)}:{x.i + 1}: {x.l.Trim()}").ToList();
        Assert.Empty(offenders);
    }

    [Fact]
    public void Rules_lists_the_table_and_explains_one_with_its_kernel_source()
    {
        var (code, list, _) = Run.Cli("rules");
        Assert.Equal(0, code);
        Assert.All(InferenceRules.All, r => Assert.Contains(r.Id, list));
        var (one, text, _) = Run.Cli("rules", "fault-holds-faulted-page");
        Assert.Equal(0, one);
        Assert.Contains("mm/filemap.c filemap_fault", text);
        // A cited witness frame is explained by its row of the stack tables, for the role the rule reads.
        var (cited, row, _) = Run.Cli("rules", "sole-page-lock-holder:hugetlb_wp");
        Assert.Equal(0, cited);
        Assert.Contains("witness row: hugetlb_wp: holds the lock of the hugetlb folio of the fault across all it calls", row);
        Assert.Contains("kernel source: mm/hugetlb.c hugetlb_wp", row);
        var (_, taker, _) = Run.Cli("rules", "blocked-stack:__filemap_get_folio");
        Assert.Contains("witness row: __filemap_get_folio: takes a page lock", taker);
        Assert.DoesNotContain("holds the lock", taker);
        var (bad, _, err) = Run.Cli("rules", "no-such-rule");
        Assert.Equal(2, bad);
        Assert.Contains("no rule 'no-such-rule'", err);
    }

    /// <summary>Findings are self-contained: every edge and task of a finding names itself without replay state.</summary>
    [Fact]
    public void Findings_carry_their_labels_and_the_end_of_each_blocked_interval()
    {
        var f = Assert.Single(Analyze.Files(Path.Combine(TestPaths.SampleTraces, "lkml-xfs-kprobe-holder.ftrace.txt")), f => f.Kind == FindingKind.Deadlock);
        Assert.Equal("postgres:47211", f.Chain[0].From.Label);
        Assert.Equal("writeback of page 8:16 ino 131 index 100", f.Chain[0].To.Label);
        Assert.All(f.Tasks, t => Assert.Null(t.BlockedUntilNs)); // still deadlocked at the end
        var gap = Assert.Single(Analyze.Text(ReusedPid + "             dd-4005    [001] .....   106.000000: sched_waking: comm=dd pid=4005 prio=120 target_cpu=001\n" +
                                             "             dd-4005    [001] .....   106.000100: folio_wait_writeback: bdi 8:16: ino=131 index=1\n"));
        Assert.Equal(106_000_000_000L, Assert.Single(gap.Tasks).BlockedUntilNs);
        // The witness of a dependency woke after its wait; a lockdep report's task was never seen blocked at all.
        var potential = Assert.Single(Analyze.Files(Path.Combine(TestPaths.SampleTraces, "lkml-xfs-potential.ftrace.txt")), f => f.Kind == FindingKind.PotentialDeadlock);
        Assert.Equal(338_902_010_000L, potential.Tasks.Single(t => t.Pid == 47211).BlockedUntilNs);
        if (TestPaths.Shared is { } shared && Directory.Exists(Path.Combine(shared, "corpus", "syzkaller", "lockdep")))
            foreach (var log in Directory.GetFiles(Path.Combine(shared, "corpus", "syzkaller", "lockdep")).Order().Take(5))
                Assert.All(Analyze.Files(log).SelectMany(f => f.Tasks).Where(t => t.SinceUnknown), t => Assert.Null(t.BlockedUntilNs));
    }
}
