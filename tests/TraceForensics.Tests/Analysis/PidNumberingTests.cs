using System.Globalization;
using System.Text.RegularExpressions;
using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Analysis;

/// <summary>A kernel log's findings do not depend on how its tasks happen to be numbered: the same report with every pid
/// (and kworker number) changed, as another boot would number them, gives the same finding kinds and the same chain
/// signatures. The holder a held-locks list names is chosen by what the list proves and, among equals, by the report's
/// order, never by the pids' order.</summary>
public partial class PidNumberingTests
{
    /// <summary>Five tasks in mount_bdev waiting for one bdev's bd_fsfreeze_mutex, behind a task that holds it and sleeps
    /// in grab_super for an s_umount (fs/super.c mount_bdev: mutex_lock(&amp;bdev-&gt;bd_fsfreeze_mutex), then sget -&gt;
    /// grab_super -&gt; down_write(&amp;s-&gt;s_umount)). khungtaskd reported three of the waiters and the holder
    /// (kernel/hung_task.c check_hung_task: only tasks blocked for the whole timeout; the two that came later are not
    /// reported) and listed every task's locks (kernel/locking/lockdep.c debug_show_all_locks, lockdep_print_held_locks:
    /// "N locks held by comm/pid:", print_lock " #i: addr (class){usage}-{wait}, at: site"). Each waiter's list is the
    /// mutex it waits for alone (lockdep lists a lock from the moment it is asked for); the holder's names it first,
    /// then the s_umount it waits for. <paramref name="perHungTask"/>: the lists printed after each hung task, as
    /// kernels before 4.17 did (check_hung_task called debug_show_all_locks() per task; commit 401c636a0eeb "show all
    /// hung tasks before panic" made it once), so each list appears several times. <paramref name="pids"/>: the five
    /// waiters, the holder, khungtaskd.</summary>
    internal static string FreezeMutexReport(IReadOnlyList<int> pids, bool perHungTask = false)
    {
        var lines = new List<string>();
        void AllLocks()
        {
            lines.Add("");
            lines.Add("Showing all locks held in the system:");
            lines.Add($"1 lock held by khungtaskd/{pids[6]}:");
            lines.Add(" #0: ffffffff8c791d80 (rcu_read_lock){....}-{1:2}, at: debug_show_all_locks+0x36/0x1c0");
            const string freeze = "ffff888021a3c6a0 (&bdev->bd_fsfreeze_mutex){+.+.}-{4:4}, at: mount_bdev+0x93/0x3c0";
            foreach (int i in new[] { 0, 3, 5, 1, 4, 2 })
            {
                if (i == 5)
                {
                    lines.Add($"2 locks held by syz-executor.5/{pids[5]}:");
                    lines.Add($" #0: {freeze}");
                    lines.Add(" #1: ffff88807b8a00e0 (&type->s_umount_key#42){++++}-{4:4}, at: grab_super+0x54/0x290");
                }
                else
                {
                    lines.Add($"1 lock held by syz-executor.{i}/{pids[i]}:");
                    lines.Add($" #0: {freeze}");
                }
            }
            lines.Add("");
            lines.Add("=============================================");
        }
        void Hung(string comm, int pid, string[] frames)
        {
            lines.Add($"INFO: task {comm}:{pid} blocked for more than 143 seconds.");
            lines.Add("      Not tainted 6.1.0-syzkaller #0");
            lines.Add("\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.");
            lines.Add($"task:{comm,-15} state:D stack:26000 pid:{pid,-5} ppid:4012   flags:0x00004004");
            lines.Add("Call Trace:");
            lines.Add(" <TASK>");
            lines.AddRange(frames.Select(f => " " + f));
            lines.Add(" </TASK>");
            if (perHungTask) AllLocks();
        }
        string[] mount = ["legacy_get_tree+0x105/0x220", "vfs_get_tree+0x88/0x350", "path_mount+0x6ae/0x1f20",
            "__x64_sys_mount+0x283/0x300", "do_syscall_64+0x35/0xb0", "entry_SYSCALL_64_after_hwframe+0x63/0xcd"];
        string[] waiter = ["__schedule+0xb6a/0x5960", "schedule+0xde/0x1b0", "schedule_preempt_disabled+0x13/0x20",
            "__mutex_lock+0xa48/0x1360", "mount_bdev+0x93/0x3c0", "ext4_mount+0x35/0x40", .. mount];
        string[] holder = ["__schedule+0xb6a/0x5960", "schedule+0xde/0x1b0", "rwsem_down_write_slowpath+0x3d1/0x1380",
            "down_write+0x1d2/0x200", "grab_super+0x54/0x290", "sget+0x3b5/0x530", "mount_bdev+0x107/0x3c0", "ext4_mount+0x35/0x40", .. mount];
        for (int i = 0; i < 3; i++) Hung($"syz-executor.{i}", pids[i], waiter);
        Hung("syz-executor.5", pids[5], holder);
        if (!perHungTask) AllLocks();
        return string.Concat(lines.Select((l, i) => $"[{(200 + i * 0.000731).ToString("F6", CultureInfo.InvariantCulture),12}][ T{pids[6]}] {l}\n"));
    }

    private static readonly int[] FreezePids = [5101, 5102, 5103, 5104, 5105, 5100, 28];

    /// <summary>Kinds and signatures of a log's findings, in a stable order: what must not depend on the numbering.</summary>
    private static List<string> Shapes(IReadOnlyList<Finding> findings) =>
        findings.Select(f => $"{f.Kind.Name()} {ChainSignature.Of(f)}").Order(StringComparer.Ordinal).ToList();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_freeze_mutex_holder_is_the_task_in_grab_super(bool perHungTask)
    {
        var findings = Analyze.Text(FreezeMutexReport(FreezePids, perHungTask));
        var f = Assert.Single(findings);
        Assert.Equal(FindingKind.HungTask, f.Kind);
        var held = Assert.Single(f.Chain, e => e.Relation == Relation.HeldBy);
        Assert.Equal("lock:&bdev->bd_fsfreeze_mutex@0xffff888021a3c6a0", held.From.Id()); // the instance the lists name
        Assert.Equal(5100, ((TaskNode)held.To).Pid);
        Assert.Equal("held-locks-list", held.RuleId());
        // the two waiters only listed are no holders: their one entry is the mutex they ask for
        Assert.DoesNotContain(f.Chain, e => e.To is TaskNode { Pid: 5104 or 5105 });
        // a list printed again replaces the one before: each waiter's list is its one awaited entry
        Assert.All(f.Tasks.Where(t => t.Pid != 5100), t => Assert.Equal("(&bdev->bd_fsfreeze_mutex) at mount_bdev", Assert.Single(t.HeldLocks)));
        Assert.Equal(2, f.Tasks.Single(t => t.Pid == 5100).HeldLocks.Length);
    }

    /// <summary>Any numbering of the six tasks (the holder below or above the waiters, the listed-only waiters first)
    /// gives the same findings.</summary>
    [FsCheck.Xunit.Property(MaxTest = 40)]
    public void The_freeze_mutex_report_renumbered_gives_the_same_findings(int seed, bool perHungTask)
    {
        var rnd = new Random(seed);
        var distinct = new HashSet<int>();
        while (distinct.Count < 6) distinct.Add(rnd.Next(100, 4_194_304));
        int[] pids = [.. distinct, 28];
        var expected = Shapes(Analyze.Text(FreezeMutexReport(FreezePids, perHungTask)));
        var findings = Analyze.Text(FreezeMutexReport(pids, perHungTask));
        Assert.DoesNotContain(findings, f => f.Kind == FindingKind.Deadlock);
        Assert.Equal(expected, Shapes(findings));
        Assert.Equal(pids[5], ((TaskNode)Assert.Single(findings.SelectMany(f => f.Chain), e => e.Relation == Relation.HeldBy).To).Pid);
    }

    public static TheoryData<int, bool> HolderPlaces()
    {
        var data = new TheoryData<int, bool>();
        foreach (bool perHungTask in new[] { false, true })
            for (int place = 0; place < 6; place++) data.Add(place, perHungTask);
        return data;
    }

    /// <summary>The same, with the pids only swapped among the tasks (every order of the holder among the waiters).</summary>
    [Theory]
    [MemberData(nameof(HolderPlaces))]
    public void The_freeze_mutex_report_with_the_holder_at_any_place_in_pid_order_gives_the_same_findings(int place, bool perHungTask)
    {
        var sorted = FreezePids[..6].Order().ToList();
        int holderPid = sorted[place];
        sorted.RemoveAt(place);
        int[] pids = [.. sorted, holderPid, 28];
        var findings = Analyze.Text(FreezeMutexReport(pids, perHungTask));
        Assert.Equal(Shapes(Analyze.Text(FreezeMutexReport(FreezePids, perHungTask))), Shapes(findings));
        Assert.Equal([FindingKind.HungTask], findings.Select(f => f.Kind));
    }

    /// <summary>syzkaller hung/432 (in the dev half): a kworker in cleanup_net sleeps in synchronize_rcu_expedited with
    /// rtnl_mutex held (its list's last entry, but its stack is past the lock), seven tasks wait for rtnl_mutex, and
    /// kworker/0:11, not reported, lists rtnl_mutex last (held, or still asked for: nothing shows which). Renumbered
    /// (pids and kworker numbers, as bench/make-triage-corpus.py does), the findings stay the same, and the holder
    /// stays the task whose stack proves it holds the lock.</summary>
    [SkippableTheory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    public void Hung_432_renumbered_gives_the_same_findings(int seed)
    {
        const string name = "432";
        Assert.True(HungCorpusSplit.IsDev(name));
        var path = Path.Combine(Require.Shared(), "corpus", "syzkaller", "hung", name);
        Skip.If(!File.Exists(path), $"{path} is absent");
        var original = File.ReadAllText(path);
        var before = Analyze.Text(original);
        var renumbered = Renumber(original, new Random(seed));
        Assert.NotEqual(original, renumbered);
        var after = Analyze.Text(renumbered);
        Assert.Equal(Shapes(before), Shapes(after));
        foreach (var findings in new[] { before, after })
        {
            var f = Assert.Single(findings);
            var held = Assert.Single(f.Chain, e => e.Relation == Relation.HeldBy);
            Assert.Matches("^lock:rtnl_mutex@0x[0-9a-f]+$", held.From.Id());
            Assert.Equal("synchronize_rcu", f.Tasks.Single(t => t.Pid == ((TaskNode)held.To).Pid).BlockedIn);
        }
    }

    /// <summary>The pids where the kernel prints them (sched_show_task's pid:, "task comm:pid", "locks held by comm/pid",
    /// the caller id "[ Tpid]"; those under 100 kept, as the early kernel threads' are the same on every boot), each
    /// replaced by another wherever it stands alone, and every kworker's name by another, distinct ones kept distinct.</summary>
    internal static string Renumber(string text, Random rnd)
    {
        var pids = new Dictionary<string, string>();
        var used = new HashSet<string>();
        foreach (Match m in PidContext().Matches(text))
        {
            if (pids.ContainsKey(m.Groups[1].Value)) continue;
            string next;
            do next = rnd.Next(100, 4_194_304).ToString(CultureInfo.InvariantCulture); while (!used.Add(next));
            pids.Add(m.Groups[1].Value, next);
        }
        if (pids.Count > 0)
        {
            var alone = string.Join("|", pids.Keys.OrderByDescending(k => k.Length).Select(Regex.Escape));
            text = Regex.Replace(text, $@"(?<![#.\w])({alone})(?![\w.])", m => pids[m.Groups[1].Value]);
            text = Regex.Replace(text, $@"(\[\s*T)({alone})\]", m => m.Groups[1].Value + pids[m.Groups[2].Value] + "]");
        }
        var workers = new Dictionary<string, string>();
        var names = new HashSet<string>();
        return KworkerName().Replace(text, m =>
        {
            if (workers.TryGetValue(m.Value, out var known)) return known;
            string next;
            do next = $"kworker/{m.Groups[1].Value}{rnd.Next(0, 64)}:{rnd.Next(0, 9)}"; while (!names.Add(next));
            workers.Add(m.Value, next);
            return next;
        });
    }

    [GeneratedRegex(@"(?:pid:|tgid:|task \S+?:|by task \S+?:|by \S+?/|\[\s*T)(\d{3,})\b")]
    private static partial Regex PidContext();

    [GeneratedRegex(@"kworker/(u?)(\d+):(\d+)")]
    private static partial Regex KworkerName();
}
