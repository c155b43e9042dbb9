using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Triage;

public class ChainSignatureTests
{
    private static Finding One(string log) => Assert.Single(Analyze.Text(log), f => f.Kind == FindingKind.HungTask);

    [Fact]
    public void Same_root_cause_with_other_pids_addresses_offsets_times_and_kworker_numbers_has_one_signature()
    {
        var first = One(HungReports.MutexChain(1));
        Assert.NotEmpty(first.Chain);
        var signatures = Enumerable.Range(2, 20).Select(seed => ChainSignature.Of(One(HungReports.MutexChain(seed)))).Distinct().ToList();
        Assert.Equal(ChainSignature.Of(first), Assert.Single(signatures));
        Assert.Matches("^[0-9a-f]{16}$", ChainSignature.Of(first));
        // the pids differ indeed: the reports are not the same text
        Assert.NotEqual(HungReports.MutexChain(1), HungReports.MutexChain(2));
    }

    [Fact]
    public void Another_function_is_another_signature()
    {
        var a = ChainSignature.Of(One(HungReports.MutexChain(1)));
        Assert.NotEqual(a, ChainSignature.Of(One(HungReports.MutexChain(1, waiterIn: "tty_ioctl"))));
        Assert.Contains("task in tty_release", ChainSignature.Shape(One(HungReports.MutexChain(1))));
    }

    [Fact]
    public void A_cycle_has_one_signature_wherever_the_report_entered_it()
    {
        WaitEdge Edge(string from, string to, Relation r) => new(new KernelLockNode(from), new KernelLockNode(to), r, null, []);
        var cycle = new[]
        {
            Edge("rtnl_mutex", "sk_lock-AF_INET", Relation.HeldThenWantedBy),
            Edge("sk_lock-AF_INET", "&xt[i].mutex", Relation.AlreadyDependsOn),
            Edge("&xt[i].mutex", "rtnl_mutex", Relation.AlreadyDependsOn),
        };
        Finding Of(IEnumerable<WaitEdge> chain) => new()
        {
            Id = "F1", Kind = FindingKind.PotentialDeadlock, Summary = "s", AtNs = 1, Tasks = [], Chain = chain.ToList(),
        };
        var a = ChainSignature.Of(Of(cycle));
        Assert.Equal(a, ChainSignature.Of(Of(cycle.Skip(1).Concat(cycle.Take(1)))));
        Assert.Equal(a, ChainSignature.Of(Of(cycle.Skip(2).Concat(cycle.Take(2)))));
        // another class in the cycle is another root cause
        Assert.NotEqual(a, ChainSignature.Of(Of([cycle[0], cycle[1], Edge("&xt[i].mutex", "rtnl_mutex", Relation.AlreadyDependsOn) with { To = new KernelLockNode("pernet_ops_rwsem") }])));
    }

    /// <summary>The linear least-rotation scan picks the rotation the definition names (the smallest " ; "-joined text
    /// of all rotations, computed here by joining each), on cycles with repeated and periodic steps and steps that are
    /// prefixes of one another, where a scan that compared steps alone, or gave up early, would pick another.</summary>
    [Fact]
    public void The_smallest_rotation_is_the_one_whose_joined_text_is_smallest()
    {
        static List<string> ByJoining(List<string> steps) =>
            Enumerable.Range(0, steps.Count).Select(i => steps.Skip(i).Concat(steps.Take(i)).ToList())
                .MinBy(r => string.Join(" ; ", r), StringComparer.Ordinal)!;
        string[] alphabet = ["lock a", "lock a!", "lock a b", "lock b", "task in x", "task in x -waits-for-mutex-> lock a"];
        var random = new Random(16);
        for (int trial = 0; trial < 2000; trial++)
        {
            int n = random.Next(2, 12);
            var steps = Enumerable.Range(0, n).Select(_ => alphabet[random.Next(trial % 2 == 0 ? 2 : alphabet.Length)]).ToList();
            if (trial % 5 == 0) steps = steps.Concat(steps).Concat(steps).ToList(); // periodic
            Assert.Equal(string.Join(" ; ", ByJoining(steps)), string.Join(" ; ", ChainSignature.SmallestRotation(steps)));
        }
    }

    [Theory]
    [InlineData("&sb->s_type->i_mutex_key#10", "&sb->s_type->i_mutex_key#N")]
    [InlineData("&ei->i_data_sem/2", "&ei->i_data_sem/2")]
    [InlineData("tty_release+0x1a/0x400", "tty_release")]
    [InlineData("0xffff88801b2c4a08", "0x?")]
    [InlineData("(wq_completion)events", "(wq_completion)events")]
    public void Names_keep_functions_and_classes_and_lose_numbers_that_differ_between_boots(string name, string shape) =>
        Assert.Equal(shape, ChainSignature.Abstract(name));
}
