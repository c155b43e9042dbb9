using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Events.Model;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Analysis;

/// <summary>A frozen filesystem is named only from evidence: the freezer's own write or flush while it is inside
/// freeze_super. No freeze in the input, or several, leaves the device unknown, and the node says why.</summary>
public class FrozenFilesystemTests
{
    private static string Freezer(int pid, string dev, string rwbs, double at)
    {
        string T(double x) => x.ToString("0.000000", System.Globalization.CultureInfo.InvariantCulture);
        return $"          xfs_io-{pid}    [001] d..2.   {T(at)}: sched_switch: prev_comm=xfs_io prev_pid={pid} prev_prio=120 prev_state=D ==> next_comm=swapper/1 next_pid=0 next_prio=120\n" +
               $"          xfs_io-{pid}    [001] d..2.   {T(at + 0.000001)}: <stack trace>\n" +
               " => __schedule\n => schedule\n => percpu_down_write\n => freeze_super.part.0\n => __x64_sys_ioctl\n" +
               $"          xfs_io-{pid}    [001] .....   {T(at + 0.0001)}: block_bio_queue: {dev} {rwbs} 1048634 + 2 [xfs_io]\n";
    }

    private const string Worker =
        "    kworker/u8:4-3693    [000] d..2.   101.000000: sched_switch: prev_comm=kworker/u8:4 prev_pid=3693 prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120\n" +
        "    kworker/u8:4-3693    [000] d..2.   101.000001: <stack trace>\n" +
        " => __schedule\n => schedule\n => percpu_rwsem_wait\n => __percpu_down_read\n => lo_rw_aio\n => loop_process_work\n => process_one_work\n" +
        "            bash-3954    [000] .....   105.000000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n";

    private static FrozenFsNode Root(string text) =>
        Assert.IsType<FrozenFsNode>(Assert.Single(Analyze.Text(text), f => f.Kind is FindingKind.Stall).Root);

    [Fact]
    public void The_freezers_flush_names_the_frozen_device()
    {
        var root = Root(Freezer(4004, "7,1", "FWFSM", 100) + Worker);
        Assert.Equal(new DeviceNumber(7, 1), root.Dev);
        Assert.Equal("freeze:7:1", NodeId.Format(root));
    }

    [Fact]
    public void A_read_by_the_freezer_names_nothing()
    {
        var root = Root(Freezer(4004, "7,1", "RA", 100) + Worker);
        Assert.Null(root.Dev);
        Assert.Equal("a frozen filesystem (device unknown: no freeze in the input)", root.Label);
        Assert.Equal("freeze:unknown-for-3693", NodeId.Format(root));
    }

    [Fact]
    public void Two_frozen_filesystems_leave_the_waiters_device_unknown_and_say_which_were_frozen()
    {
        var root = Root(Freezer(4004, "7,1", "FWFSM", 100) + Freezer(4010, "7,3", "W", 100.5) + Worker);
        Assert.Null(root.Dev);
        Assert.Contains("2 filesystems were frozen (7:1, 7:3)", root.Label);
    }

    /// <summary>A dd writing to a loop device whose kworker is stuck in the frozen backing filesystem: the work item the
    /// kworker runs (queued on workqueue loopN) says which device it serves.</summary>
    private static string Chain(int writer, int fsyncer, int minor, ulong work, string worker, int workerPid, double at, string? workqueue = null)
    {
        string T(double x) => x.ToString("0.000000", System.Globalization.CultureInfo.InvariantCulture);
        string ino = $"0x{writer:x}";
        return
            $"          writer-{writer}     [000] .....   {T(at)}: iomap_add_to_ioend: dev 7:{minor} ino {ino} bdev 7:{minor} pos 0x0 dirty len 0x1000 addr 0x39000 offset 0x0 length 0x1000 type MAPPED (0x2) flags  (0x0)\n" +
            $"          writer-{writer}     [000] .....   {T(at + 0.00001)}: block_bio_queue: 7,{minor} W 456 + 8 [writer]\n" +
            $"          writer-{writer}     [000] .....   {T(at + 0.00002)}: workqueue_queue_work: work struct={work:x16} function=loop_rootcg_workfn workqueue={workqueue ?? $"loop{minor}"} req_cpu=8192 cpu=4294967295\n" +
            $"   {worker}-{workerPid}    [001] .....   {T(at + 0.00003)}: workqueue_execute_start: work struct {work:x16}: function loop_rootcg_workfn\n" +
            $"   {worker}-{workerPid}    [001] d..2.   {T(at + 0.00004)}: sched_switch: prev_comm={worker} prev_pid={workerPid} prev_prio=120 prev_state=D ==> next_comm=swapper/1 next_pid=0 next_prio=120\n" +
            $"   {worker}-{workerPid}    [001] d..2.   {T(at + 0.00005)}: <stack trace>\n" +
            " => __schedule\n => schedule\n => percpu_rwsem_wait\n => __percpu_down_read\n => lo_rw_aio\n => loop_process_work\n => process_one_work\n" +
            $"          fsyncer-{fsyncer}    [001] .....   {T(at + 0.0001)}: folio_wait_writeback: bdi 7:{minor}: ino={writer} index=0\n" +
            $"          fsyncer-{fsyncer}    [001] d..2.   {T(at + 0.00011)}: sched_switch: prev_comm=fsyncer prev_pid={fsyncer} prev_prio=120 prev_state=D ==> next_comm=swapper/1 next_pid=0 next_prio=120\n";
    }

    /// <summary>Two inner loops (7:5 and 7:2: numbers that do not follow the nesting), each backed by its own frozen
    /// filesystem, one dd on each: two findings, each with its own worker and device. Two freezes and no topology: the
    /// frozen filesystem of each is unknown, never a wrong one.</summary>
    [Fact]
    public void Two_frozen_backing_filesystems_give_two_findings_with_their_own_workers_and_devices()
    {
        var text = Freezer(4004, "7,1", "FWFSM", 99) + Freezer(4010, "7,3", "FWFSM", 99.5)
            + Chain(500, 600, 5, 0xaa05, "kworker/u8:1", 33, 100) + Chain(501, 601, 2, 0xaa02, "kworker/u8:4", 3693, 100.5)
            + "            bash-3954    [000] .....   105.000000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n";
        var stalls = Analyze.Text(text).Where(f => f.Kind is FindingKind.Stall or FindingKind.HungTask).ToList();
        Assert.Equal(2, stalls.Count);
        foreach (var (fsyncer, device, worker) in new[] { (600, 5, 33), (601, 2, 3693) })
        {
            var f = Assert.Single(stalls, f => f.Tasks.Any(t => t.Pid == fsyncer));
            var served = Assert.Single(f.Chain, e => e.Relation == Relation.ServedBy);
            Assert.Equal(new DeviceNumber(7, device), Assert.IsType<DeviceNode>(served.From).Dev);
            Assert.Equal(worker, Assert.IsType<TaskNode>(served.To).Pid);
            Assert.Equal("loop-workqueue-serves-its-device", served.RuleId());
            var frozen = Assert.IsType<FrozenFsNode>(f.Root);
            Assert.Null(frozen.Dev);
            Assert.Contains("2 filesystems were frozen (7:1, 7:3)", frozen.Label);
        }
    }

    /// <summary>A pooled kworker that ran loop5's work item and then moved on to another serves neither afterwards.</summary>
    [Fact]
    public void A_worker_serves_a_loop_device_only_while_it_runs_that_loops_work_item()
    {
        var text = Chain(500, 600, 5, 0xaa05, "kworker/u8:1", 33, 100)
            + "   kworker/u8:1-33    [001] .....   100.100000: workqueue_execute_end: work struct 000000000000aa05: function loop_rootcg_workfn\n"
            + "   kworker/u8:1-33    [001] .....   100.100010: workqueue_execute_start: work struct 000000000000bb01: function wb_workfn\n"
            + "   kworker/u8:1-33    [001] d..2.   100.100020: sched_switch: prev_comm=kworker/u8:1 prev_pid=33 prev_prio=120 prev_state=D ==> next_comm=swapper/1 next_pid=0 next_prio=120\n"
            + "            bash-3954    [000] .....   105.000000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n";
        var f = Assert.Single(Analyze.Text(text), f => f.Tasks.Any(t => t.Pid == 600));
        Assert.DoesNotContain(f.Chain, e => e.Relation == Relation.ServedBy);
        Assert.Equal("device:7:5", NodeId.Format(f.Root!));
    }

    /// <summary>Our capture of two nested stalls (sample-traces/README.md): with the topology record saved, each inner
    /// loop's chain ends at its own outer filesystem, by observed facts (the work item, the backing file's filesystem).</summary>
    [Fact]
    public void The_two_frozen_backings_capture_names_each_outer_filesystem_with_its_topology()
    {
        var trace = Path.Combine(TestPaths.SampleTraces, "xfs-two-frozen-backings.ftrace.txt.gz");
        var findings = Analyze.Files(trace, Path.Combine(TestPaths.SampleTraces, "xfs-two-frozen-backings.topology.txt"));
        foreach (var (inner, outer) in new[] { (2, 1), (3, 0) })
        {
            var f = Assert.Single(findings, f => f.Chain.Any(e => e.Relation == Relation.ServedBy && e.From is DeviceNode { Dev.Minor: var m } && m == inner));
            Assert.Equal(new DeviceNumber(7, outer), Assert.IsType<FrozenFsNode>(f.Root).Dev);
            Assert.Equal("loop-workqueue-serves-its-device", f.Chain.Single(e => e.Relation == Relation.ServedBy).RuleId());
            Assert.Equal("loop-backing-file-fs-is-frozen:percpu_rwsem_wait", f.Chain.Single(e => e.Relation == Relation.WaitsForFrozenFs).RuleId());
        }
        // Without the topology: two findings still; each worker's same work item, running again after the thaw, flushes to
        // its backing filesystem, which names it (and the worker's own chain says the same).
        var alone = Analyze.Files(trace).Where(f => f.Kind == FindingKind.Stall).ToList();
        Assert.Equal(2, alone.Count);
        foreach (var (inner, outer) in new[] { (2, 1), (3, 0) })
        {
            var f = Assert.Single(alone, f => f.Chain.Any(e => e.Relation == Relation.ServedBy && e.From is DeviceNode { Dev.Minor: var m } && m == inner));
            Assert.Equal(new DeviceNumber(7, outer), Assert.IsType<FrozenFsNode>(f.Root).Dev);
            Assert.Equal("loop-work-item-io-names-backing-fs:percpu_rwsem_wait", f.Chain.Single(e => e.Relation == Relation.WaitsForFrozenFs).RuleId());
            Assert.Equal(2, f.Tasks.Count); // the dd and its worker
        }
    }

    /// <summary>Freezing lasts to the freezer's next sleep outside freeze_super: I/O after that names nothing.</summary>
    [Fact]
    public void The_freezers_io_after_its_freezing_sleep_names_nothing()
    {
        var text = Freezer(4004, "7,1", "RA", 100)
            + "          xfs_io-4004    [001] d..2.   100.200000: sched_switch: prev_comm=xfs_io prev_pid=4004 prev_prio=120 prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120\n"
            + "          xfs_io-4004    [001] .....   100.300000: block_bio_queue: 254,0 W 8 + 8 [xfs_io]\n" + Worker;
        Assert.Null(Root(text).Dev);
    }

    /// <summary>A freezer whose I/O names two unrelated devices names neither; a device-mapper remap of its bio is the
    /// same filesystem one layer down.</summary>
    [Fact]
    public void A_freezer_writing_two_devices_names_none_unless_one_is_the_others_remap()
    {
        string two = Freezer(4004, "7,1", "FWFSM", 100) + "          xfs_io-4004    [001] .....   100.000200: block_bio_queue: 7,4 W 8 + 8 [xfs_io]\n";
        Assert.Null(Root(two + Worker).Dev);
        string remapped = Freezer(4004, "254,0", "FWFSM", 100)
            + "          xfs_io-4004    [001] .....   100.000200: block_bio_remap: 8,2 FWFSM 2504 + 2 <- (254,0) 1048634\n"
            + "          xfs_io-4004    [001] .....   100.000300: block_bio_queue: 8,2 FWFSM 2504 + 2 [xfs_io]\n";
        Assert.Equal(new DeviceNumber(254, 0), Root(remapped + Worker).Dev);
    }

    /// <summary>One freeze seen, but the topology puts the loops' backing files on another filesystem: not that one.</summary>
    [Fact]
    public void The_only_freeze_does_not_name_a_wait_the_topology_places_elsewhere()
    {
        var trace = Run.TempFile(Freezer(4004, "7,1", "FWFSM", 100) + Worker);
        var topology = Run.TempFile("# tracefx topology v1\nloop 7:2 backing_file=/srv/inner.img fs=7:9\n");
        var f = Assert.Single(Analyze.Files(trace, topology), f => f.Kind is FindingKind.Stall);
        var root = Assert.IsType<FrozenFsNode>(f.Root);
        Assert.Null(root.Dev);
        Assert.Contains("the only freeze seen was of 7:1, where the topology puts no loop's backing file", root.Label);
        // With the topology agreeing, the freeze names it.
        var agreeing = Run.TempFile("# tracefx topology v1\nloop 7:2 backing_file=/srv/inner.img fs=7:1\n");
        Assert.Equal(new DeviceNumber(7, 1), Assert.IsType<FrozenFsNode>(Assert.Single(Analyze.Files(trace, agreeing), f => f.Kind is FindingKind.Stall).Root).Dev);
    }

    /// <summary>Two stuck loop devices and one worker in loop work that nothing names: the stack rule pairs neither.</summary>
    [Fact]
    public void The_stack_rule_does_not_pair_one_worker_with_two_stuck_loop_devices()
    {
        string Stuck(int writer, int fsyncer, int minor, double at)
        {
            string T(double x) => x.ToString("0.000000", System.Globalization.CultureInfo.InvariantCulture);
            return $"          writer-{writer}     [000] .....   {T(at)}: iomap_add_to_ioend: dev 7:{minor} ino 0x{writer:x} bdev 7:{minor} pos 0x0 dirty len 0x1000 addr 0x39000 offset 0x0 length 0x1000 type MAPPED (0x2) flags  (0x0)\n" +
                   $"          writer-{writer}     [000] .....   {T(at + 0.00001)}: block_bio_queue: 7,{minor} W 456 + 8 [writer]\n" +
                   $"          fsyncer-{fsyncer}    [001] .....   {T(at + 0.0001)}: folio_wait_writeback: bdi 7:{minor}: ino={writer} index=0\n" +
                   $"          fsyncer-{fsyncer}    [001] d..2.   {T(at + 0.00011)}: sched_switch: prev_comm=fsyncer prev_pid={fsyncer} prev_prio=120 prev_state=D ==> next_comm=swapper/1 next_pid=0 next_prio=120\n";
        }
        var findings = Analyze.Text(Stuck(500, 600, 2, 100) + Stuck(501, 601, 5, 100.2) + Worker);
        Assert.DoesNotContain(findings.SelectMany(f => f.Chain), e => e.Relation == Relation.ServedBy);
        Assert.Contains(findings, f => f.Root is DeviceNode { Dev.Minor: 2 });
        Assert.Contains(findings, f => f.Root is DeviceNode { Dev.Minor: 5 });
    }

    /// <summary>A kernel log's hung-task report of the worker, made in the same sleep, checks the stack rule's pairing:
    /// "Workqueue: loop2" confirms device 7:2 (the workqueue rule, with the report line); "Workqueue: loop5" shows the
    /// pairing was wrong, and the chain ends at the device.</summary>
    [Theory]
    [InlineData("loop2", true)]
    [InlineData("loop5", false)]
    public void A_hung_task_reports_workqueue_line_checks_the_stack_rules_pairing(string workqueue, bool confirmed)
    {
        string T(double x) => x.ToString("0.000000", System.Globalization.CultureInfo.InvariantCulture);
        var trace = Run.TempFile(
            $"          writer-500     [000] .....   {T(100)}: iomap_add_to_ioend: dev 7:2 ino 0x1f4 bdev 7:2 pos 0x0 dirty len 0x1000 addr 0x39000 offset 0x0 length 0x1000 type MAPPED (0x2) flags  (0x0)\n" +
            $"          writer-500     [000] .....   {T(100.00001)}: block_bio_queue: 7,2 W 456 + 8 [writer]\n" +
            Worker.Replace("105.000000", "100.500000") +
            $"          fsyncer-600    [001] .....   {T(100.6)}: folio_wait_writeback: bdi 7:2: ino=500 index=0\n" +
            $"          fsyncer-600    [001] d..2.   {T(100.61)}: sched_switch: prev_comm=fsyncer prev_pid=600 prev_prio=120 prev_state=D ==> next_comm=swapper/1 next_pid=0 next_prio=120\n" +
            "            bash-3954    [000] .....   110.000000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n");
        var log = Run.TempFile(string.Join("", new[]
        {
            "INFO: task kworker/u8:4:3693 blocked for more than 3 seconds.",
            "task:kworker/u8:4    state:D stack:0     pid:3693  tgid:3693  ppid:2      task_flags:0x4388060 flags:0x00080000",
            $"Workqueue: {workqueue} loop_rootcg_workfn", "Call Trace:", " <TASK>", " __schedule+0x3dc/0xf60", " schedule+0x23/0xa0",
            " percpu_rwsem_wait+0x15f/0x1d0", " __percpu_down_read+0x88/0x150", " lo_rw_aio+0x1/0x2", " loop_process_work+0x1/0x2", " </TASK>",
        }.Select(l => $"[  104.000000] {l}\n")));
        var f = Assert.Single(Analyze.Files(trace, log), f => f.Tasks.Any(t => t.Pid == 600));
        if (confirmed)
        {
            var served = Assert.Single(f.Chain, e => e.Relation == Relation.ServedBy);
            Assert.Equal("loop-workqueue-serves-its-device", served.RuleId());
            Assert.Contains(served.Lines, l => l.Input == 1); // the report's Workqueue line
        }
        else
        {
            Assert.DoesNotContain(f.Chain, e => e.Relation == Relation.ServedBy);
            Assert.Equal("device:7:2", NodeId.Format(f.Root!));
        }
    }

    /// <summary>With max_part set, loop1 is 7:16: its workqueue "loop1" names 7:16 through the topology's loop name.</summary>
    [Fact]
    public void A_loop_workqueue_names_its_device_through_the_topology_when_minors_are_partitioned()
    {
        var trace = Run.TempFile(Chain(500, 600, 16, 0xaa10, "kworker/u8:1", 33, 100, workqueue: "loop1")
            + "            bash-3954    [000] .....   105.000000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n");
        var topology = Run.TempFile("# tracefx topology v1\nloop 7:16 backing_file=/srv/inner.img fs=7:0 name=loop1\n");
        var f = Assert.Single(Analyze.Files(trace, topology), f => f.Tasks.Any(t => t.Pid == 600));
        var served = Assert.Single(f.Chain, e => e.Relation == Relation.ServedBy);
        Assert.Equal(new DeviceNumber(7, 16), Assert.IsType<DeviceNode>(served.From).Dev);
        Assert.Equal(new DeviceNumber(7, 0), Assert.IsType<FrozenFsNode>(f.Root).Dev);
        // Without the topology, "loop1" is 7:1 (max_part=0): no worker for 7:16, never a wrong one.
        var alone = Assert.Single(Analyze.Files(trace), f => f.Tasks.Any(t => t.Pid == 600));
        Assert.DoesNotContain(alone.Chain, e => e.Relation == Relation.ServedBy);
    }

    /// <summary>A worker paired with the stuck loop by the stack rule waits for that loop's backing filesystem as the
    /// topology records it, not for the only freeze the trace shows elsewhere.</summary>
    [Fact]
    public void A_stack_paired_worker_waits_for_its_loops_backing_filesystem_from_the_topology()
    {
        string T(double x) => x.ToString("0.000000", System.Globalization.CultureInfo.InvariantCulture);
        var trace = Run.TempFile(Freezer(4004, "7,1", "FWFSM", 99) +
            "          <idle>-0       [001] ..s1.    99.500000: block_rq_complete: 7,1 FWFSM () 1048634 + 2 be,0,4 [0]\n" +
            $"          writer-500     [000] .....   {T(100)}: iomap_add_to_ioend: dev 7:2 ino 0x1f4 bdev 7:2 pos 0x0 dirty len 0x1000 addr 0x39000 offset 0x0 length 0x1000 type MAPPED (0x2) flags  (0x0)\n" +
            $"          writer-500     [000] .....   {T(100.00001)}: block_bio_queue: 7,2 W 456 + 8 [writer]\n" +
            $"          fsyncer-600    [001] .....   {T(100.0001)}: folio_wait_writeback: bdi 7:2: ino=500 index=0\n" +
            $"          fsyncer-600    [001] d..2.   {T(100.00011)}: sched_switch: prev_comm=fsyncer prev_pid=600 prev_prio=120 prev_state=D ==> next_comm=swapper/1 next_pid=0 next_prio=120\n" +
            Worker);
        var topology = Run.TempFile("# tracefx topology v1\nloop 7:2 backing_file=/srv/inner.img fs=7:9\nloop 7:5 backing_file=/srv/other.img fs=7:1\n");
        var f = Assert.Single(Analyze.Files(trace, topology), f => f.Tasks.Any(t => t.Pid == 600));
        Assert.Equal("loop-device-served-by-loop-worker", f.Chain.Single(e => e.Relation == Relation.ServedBy).RuleId());
        Assert.Equal(new DeviceNumber(7, 9), Assert.IsType<FrozenFsNode>(f.Root).Dev);
    }

    /// <summary>A pooled kworker that served loop2 behind one frozen filesystem, then (after the thaw) loop3 behind
    /// another: one worker in two stalls. Each finding has its own dd, device and frozen filesystem, names the shared
    /// worker with the blocked interval it spent behind that filesystem, and says the worker is in the other one too.</summary>
    [Fact]
    public void A_worker_shared_by_two_stalls_is_in_both_with_each_blocked_interval()
    {
        // bash's events stand for the rest of a real trace (the detector looks at the state as events arrive).
        var text = Chain(500, 600, 2, 0xaa02, "kworker/u8:1", 33, 100)
            + "            bash-3954    [000] .....   103.000000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n"
            + "   kworker/u8:1-33    [001] .....   105.000000: block_rq_complete: 7,2 W () 456 + 8 be,0,4 [0]\n"
            + "   kworker/u8:1-33    [001] .....   105.000010: workqueue_execute_end: work struct 000000000000aa02: function loop_rootcg_workfn\n"
            + "          fsyncer-600    [001] .....   105.000100: sched_waking: comm=bash pid=3954 prio=120 target_cpu=000\n"
            + Chain(501, 601, 3, 0xaa03, "kworker/u8:1", 33, 110)
            + "            bash-3954    [000] .....   120.000000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n";
        var topology = Run.TempFile("# tracefx topology v1\nloop 7:2 backing_file=/srv/a.img fs=7:1\nloop 7:3 backing_file=/srv/b.img fs=7:0\n");
        var stalls = Analyze.Files(Run.TempFile(text), topology).Where(f => f.Kind == FindingKind.Stall).ToList();
        Assert.Equal(2, stalls.Count);
        foreach (var (fsyncer, device, frozen, since) in new[] { (600, 2, 1, 100.00004), (601, 3, 0, 110.00004) })
        {
            var f = Assert.Single(stalls, f => f.Tasks.Any(t => t.Pid == fsyncer));
            Assert.Equal(new DeviceNumber(7, frozen), Assert.IsType<FrozenFsNode>(f.Root).Dev);
            var served = Assert.Single(f.Chain, e => e.Relation == Relation.ServedBy);
            Assert.Equal(new DeviceNumber(7, device), Assert.IsType<DeviceNode>(served.From).Dev);
            var worker = Assert.Single(f.Tasks, t => t.Pid == 33);
            Assert.Equal((long)Math.Round(since * 1e9), worker.BlockedSinceNs);
            Assert.DoesNotContain(f.Tasks, t => t.Pid == 1201 - fsyncer); // the other stall's dd
            // Each says the worker is in the other too.
            var other = Assert.Single(stalls, o => o != f);
            Assert.Equal(new[] { other.Id }, worker.AlsoIn.ToArray());
        }
    }
}
