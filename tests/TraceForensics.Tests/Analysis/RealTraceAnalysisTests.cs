using TraceForensics.Events.Model;
using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Analysis;

/// <summary>The real captures: no false deadlocks; the frozen-backing stall and the memcg precondition are found.</summary>
public class RealTraceAnalysisTests
{
    [SkippableTheory]
    [InlineData("xfs-fsync.ftrace.txt")]
    [InlineData("xfs-fsync.trace-cmd-report.txt")]
    [InlineData("xfs-fsync.perf-script.txt")]
    [InlineData("xfs-fsync.perf-script-nostack.txt")]
    [InlineData("xfs-frozen-backing-stall.ftrace.txt")]
    [InlineData("xfs-frozen-backing-stall.dmesg.txt")]
    [InlineData("xfs-memcg-reclaim.ftrace.txt.gz")]
    public void No_capture_has_a_deadlock(string file)
    {
        var findings = Analyze.Files(Path.Combine(Require.RealTraces(), file));
        Assert.DoesNotContain(findings, f => f.Kind is FindingKind.Deadlock or FindingKind.PotentialDeadlock);
    }

    [SkippableFact]
    public void Frozen_backing_stall_roots_at_the_frozen_filesystem_through_the_loop_device()
    {
        var findings = Analyze.Files(Path.Combine(Require.RealTraces(), "xfs-frozen-backing-stall.ftrace.txt"));
        var stall = Assert.Single(findings);
        Assert.Equal(FindingKind.Stall, stall.Kind);
        // The capture froze the outer XFS on loop 7:1 (capture-real-traces.sh, scenario stall): the freezer's own flush and
        // writeback wait in freeze_super name it; the root filesystem 254:0, which the worker wrote to after the thaw, is not it.
        Assert.Equal(new DeviceNumber(7, 1), Assert.IsType<FrozenFsNode>(stall.Root).Dev);
        var frozen = stall.Chain.Single(e => e.Relation == Relation.WaitsForFrozenFs);
        Assert.Equal("freeze-io-names-frozen-fs:percpu_rwsem_wait", frozen.RuleId());
        Assert.Contains(frozen.Lines, l => l.Line == 1308); // xfs_io asleep in freeze_super
        Assert.Contains(frozen.Lines, l => l.Line == 1474); // xfs_io's folio_wait_writeback on bdi 7:1 (sync_filesystem)
        var dd = Assert.Single(stall.Tasks, t => t.Comm == "dd");
        Assert.Equal("xfs_file_fsync", dd.BlockedIn); // syzkaller's title names the caller of the writeback wait
        Assert.NotNull(dd.HangReport);
        var worker = Assert.Single(stall.Tasks, t => t.Pid == 3693);
        Assert.Equal("lo_rw_aio", worker.BlockedIn);
        Assert.Equal(["waits-for-writeback", "in-bio", "in-flight-on", "served-by", "waits-for-frozen-fs"], stall.Chain.Select(e => e.RelationId()));
        var inFlight = stall.Chain.Single(e => e.Relation == Relation.InFlightOn);
        Assert.Equal(7, Assert.IsType<DeviceNode>(inFlight.To).Dev.Major);
        Assert.True(inFlight.Observed);
        Assert.False(stall.Chain.Single(e => e.Relation == Relation.ServedBy).Observed);
    }

    [SkippableFact]
    public void Memcg_capture_notes_reclaim_in_a_fault_waiting_on_writeback()
    {
        var findings = Analyze.Files(Path.Combine(Require.RealTraces(), "xfs-memcg-reclaim.ftrace.txt.gz"));
        var note = Assert.Single(findings);
        Assert.Equal(FindingKind.Note, note.Kind);
        Assert.Contains("precondition of the LKML", note.Summary);
        Assert.Contains(note.Tasks, t => t.Stack.Contains("try_to_free_mem_cgroup_pages") && t.Stack.Contains("pte_alloc_one"));
    }
}
