using TraceForensics.Events.Model;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Events;

/// <summary>Decoded payload facts, through the whole pipeline, on lines copied from the real captures.</summary>
public class PayloadDecodingTests
{
    private static TraceEvent One(string line, EventKind kind) => Run.OneEvent(line, kind);

    [Fact]
    public void Sched_switch_raw()
    {
        var e = One("              dd-3685    [001] d..2.   338.934898: sched_switch: prev_comm=dd prev_pid=3685 prev_prio=120 prev_state=D ==> next_comm=kworker/1:1H next_pid=44 next_prio=100",
                    EventKind.SchedSwitch);
        Assert.Equal(TaskState.Uninterruptible, e.Payload.PrevState);
        Assert.Equal(44, e.Payload.OtherPid);
        Assert.Equal("kworker/1:1H", e.Payload.OtherComm);
        Assert.Equal(3685, e.Pid);
        Assert.Equal("dd", e.Comm);
    }

    [Theory]
    [InlineData("prev_state=R+", TaskState.Running | TaskState.Preempted)]
    [InlineData("prev_state=S", TaskState.Sleeping)]
    [InlineData("prev_state=D|K", TaskState.Uninterruptible | TaskState.Killable)]
    [InlineData("prev_state=I", TaskState.Idle)]
    public void Sched_switch_states(string state, TaskState expected)
    {
        var e = One($"    kworker/u8:1-33      [000] d..2.   338.937129: sched_switch: prev_comm=kworker/u8:1 prev_pid=33 prev_prio=120 {state} ==> next_comm=kworker/0:1H next_pid=58 next_prio=100",
                    EventKind.SchedSwitch);
        Assert.Equal(expected, e.Payload.PrevState);
        Assert.Equal(58, e.Payload.OtherPid);
    }

    [Fact]
    public void Sched_switch_next_comm_with_spaces()
    {
        var e = One("            bash-3864    [001] d..2.   360.582356: sched_switch: prev_comm=bash prev_pid=3864 prev_prio=120 prev_state=S ==> next_comm=Web Content next_pid=3883 next_prio=120",
                    EventKind.SchedSwitch);
        Assert.Equal("Web Content", e.Payload.OtherComm);
        Assert.Equal(3883, e.Payload.OtherPid);
    }

    [Fact]
    public void Sched_switch_trace_cmd_plugin_form()
    {
        // xfs-fsync.trace-cmd-report.txt
        var e = One("              dd-4256  [001]   408.433821: sched_switch:         dd:4256 [120] D ==> kworker/u8:1:33 [120]", EventKind.SchedSwitch);
        Assert.Equal(TaskState.Uninterruptible, e.Payload.PrevState);
        Assert.Equal(33, e.Payload.OtherPid);
        Assert.Equal("kworker/u8:1", e.Payload.OtherComm);
        Assert.Equal(4256, e.Pid);
    }

    [Fact]
    public void Sched_switch_plugin_form_waking_state()
    {
        var e = One("     rcu_preempt-15    [001]   408.433010: sched_switch:         rcu_preempt:15 [120] W ==> dd:4256 [120]", EventKind.SchedSwitch);
        Assert.Equal(TaskState.Waking, e.Payload.PrevState);
        Assert.Equal(4256, e.Payload.OtherPid);
        Assert.Equal("dd", e.Payload.OtherComm);
    }

    [Fact]
    public void Sched_waking()
    {
        var e = One("     ksoftirqd/1-22      [001] d.s3.   338.777096: sched_waking: comm=bash pid=3685 prio=120 target_cpu=000", EventKind.SchedWaking);
        Assert.Equal(3685, e.Payload.OtherPid);
        Assert.Equal("bash", e.Payload.OtherComm);
        Assert.Equal(22, e.Pid);
    }

    [Fact]
    public void Sched_waking_from_perf()
    {
        var e = One("     migration/0    18 [000]   392.336630:                     sched:sched_waking: comm=perf pid=4124 prio=120 target_cpu=000", EventKind.SchedWaking);
        Assert.Equal(4124, e.Payload.OtherPid);
        Assert.Equal("perf", e.Payload.OtherComm);
        Assert.Equal("sched_waking", e.Name);
    }

    [Fact]
    public void Sched_process_hang()
    {
        var e = One("      khungtaskd-31      [001] .....   376.769136: sched_process_hang: comm=kworker/u8:4 pid=3693", EventKind.ProcessHang);
        Assert.Equal(3693, e.Payload.OtherPid);
        Assert.Equal(31, e.Pid);
    }

    [Fact]
    public void Sched_blocked_reason_caller()
    {
        var e = One("           <...>-6143  ( 6136) [005] d..2    50.278987: sched_blocked_reason: pid=6136 iowait=0 caller=SyS_mprotect+0x88/0x208",
                    EventKind.BlockedReason);
        Assert.Equal(6136, e.Payload.OtherPid);
        Assert.Equal("SyS_mprotect", e.Payload.Function);
        Assert.Equal(6136, e.Tgid);
    }

    [Theory]
    [InlineData("              dd-3685    [001] d..1.   338.788144: writeback_dirty_folio: bdi 7:0: ino=131 index=256", EventKind.FolioDirtied, 7, 0, 131UL, 256L)]
    [InlineData("    kworker/u8:1-33      [000] .....   338.938489: folio_wait_writeback: bdi 254:0: ino=827427 index=32", EventKind.WritebackWait, 254, 0, 827427UL, 32L)]
    [InlineData("            bash-3893    [001] .....   360.694813: folio_wait_writeback: bdi 7:0: ino=131 index=31488", EventKind.WritebackWait, 7, 0, 131UL, 31488L)]
    public void Writeback_bdi_events_have_decimal_ino_and_index(string line, EventKind kind, int major, int minor, ulong ino, long index)
    {
        var e = One(line, kind);
        Assert.Equal(new DeviceNumber(major, minor), e.Payload.Dev);
        Assert.Equal(ino, e.Payload.Ino);
        Assert.Equal(index, e.Payload.Index);
        Assert.True(e.Payload.HasPageIdentity);
    }

    [Fact]
    public void Filemap_add_to_page_cache_binds_pfn_to_hex_ino_and_index()
    {
        var e = One("              dd-3685    [000] .....   338.776748: mm_filemap_add_to_page_cache: dev 254:0 ino 3c64c pfn=0x1237ab ofs=4096 order=0",
                    EventKind.PageCacheAdd);
        Assert.Equal(new DeviceNumber(254, 0), e.Payload.Dev);
        Assert.Equal(0x3c64cUL, e.Payload.Ino);
        Assert.Equal(0x1237abUL, e.Payload.Pfn);
        Assert.Equal(1L, e.Payload.Index);
        Assert.Equal(0, e.Payload.Order);
    }

    [Fact]
    public void Filemap_add_to_page_cache_from_perf_large_offset()
    {
        var e = One("       perf-exec  4125 [000]   392.337749:   filemap:mm_filemap_add_to_page_cache: dev 0:3 ino fe00000 pfn=0x12e372 ofs=6947012608 order=0",
                    EventKind.PageCacheAdd);
        Assert.Equal(new DeviceNumber(0, 3), e.Payload.Dev);
        Assert.Equal(0xfe00000UL, e.Payload.Ino);
        Assert.Equal(0x12e372UL, e.Payload.Pfn);
        Assert.Equal(6947012608L / 4096, e.Payload.Index);
    }

    [Fact]
    public void Filemap_fault()
    {
        var e = One("              dd-3685    [001] .....   338.778098: mm_filemap_fault: dev=254:0 ino=50f83 ofs=212992", EventKind.FilemapFault);
        Assert.Equal(new DeviceNumber(254, 0), e.Payload.Dev);
        Assert.Equal(0x50f83UL, e.Payload.Ino);
        Assert.Equal(212992L / 4096, e.Payload.Index);
    }

    [Fact]
    public void Iomap_writeback_folio_index_from_offset()
    {
        var e = One("              dd-3685    [001] .....   338.902395: iomap_writeback_folio: dev 7:0 ino 0x83 size 0x3000000 offset 0x100000 length 0x100000",
                    EventKind.WritebackStart);
        Assert.Equal(new DeviceNumber(7, 0), e.Payload.Dev);
        Assert.Equal(0x83UL, e.Payload.Ino);
        Assert.Equal(0x100000L / 4096, e.Payload.Index);
        Assert.Equal(0x100000L / 512, e.Payload.Sectors);
        Assert.Null(e.Payload.Sector); // no disk address in this event
    }

    [Fact]
    public void Iomap_add_to_ioend_sector_from_addr_pos_and_offset()
    {
        var e = One("              dd-3685    [001] .....   338.902396: iomap_add_to_ioend: dev 7:0 ino 0x83 bdev 7:0 pos 0x100000 dirty len 0x100000 addr 0x18000 offset 0x0 length 0x3ff0000 type UNWRITTEN (0x3) flags DIRTY (0x2)",
                    EventKind.WritebackStart);
        Assert.Equal(new DeviceNumber(7, 0), e.Payload.Dev);
        Assert.Equal(0x83UL, e.Payload.Ino);
        Assert.Equal(0x100000L / 4096, e.Payload.Index);
        Assert.Equal((ulong)(0x18000 + 0x100000 - 0x0) / 512, e.Payload.Sector);
        Assert.Equal(0x100000L / 512, e.Payload.Sectors);
    }

    [Fact]
    public void Iomap_add_to_ioend_with_a_mapping_that_starts_inside_the_file()
    {
        // Same shape as the capture, with a mapping at file offset 0x200000: the folio's sector is relative to it.
        var e = One("              dd-3685    [001] .....   338.902398: iomap_add_to_ioend: dev 7:0 ino 0x83 bdev 7:0 pos 0x300000 dirty len 0x1000 addr 0x40000 offset 0x200000 length 0x3ff0000 type MAPPED (0x2) flags DIRTY (0x2)",
                    EventKind.WritebackStart);
        Assert.Equal(0x300000L / 4096, e.Payload.Index);
        Assert.Equal((ulong)(0x40000 + 0x300000 - 0x200000) / 512, e.Payload.Sector);
        Assert.Equal(8L, e.Payload.Sectors);
    }

    [Theory]
    [InlineData("              dd-3685    [001] .....   338.902463: block_bio_queue: 7,0 WS 192 + 98304 [dd]", EventKind.BioQueue, 7, 0, "WS", 192UL, 98304L)]
    [InlineData("    kworker/u8:1-33      [000] .....   338.935494: block_bio_queue: 254,0 WS 27148544 + 2200 [kworker/u8:1]", EventKind.BioQueue, 254, 0, "WS", 27148544UL, 2200L)]
    [InlineData("              dd-3685    [000] .....   338.776784: block_rq_issue: 254,0 RA 16384 () 12722512 + 32 be,0,4 [bash]", EventKind.RequestIssue, 254, 0, "RA", 12722512UL, 32L)]
    [InlineData("     ksoftirqd/0-14      [000] ..s..   338.903074: block_rq_complete: 7,0 WS () 192 + 2560 be,0,4 [0]", EventKind.RequestComplete, 7, 0, "WS", 192UL, 2560L)]
    [InlineData("          <idle>-0       [001] ..s1.   370.746555: block_rq_complete: 254,0 FF () 18446744073709551615 + 0 none,0,0 [0]", EventKind.RequestComplete, 254, 0, "FF", ulong.MaxValue, 0L)]
    [InlineData("     ksoftirqd/1-22      [001] ..s..   370.746571: block_rq_complete: 7,1 FF () 18446744073709551615 + 0 none,0,0 [0]", EventKind.RequestComplete, 7, 1, "FF", ulong.MaxValue, 0L)]
    [InlineData("       perf-exec  4125 [000]   392.337868:                   block:block_rq_issue: 254,0 RM 4096 () 13568384 + 8 0x2,0,4 [perf-exec]", EventKind.RequestIssue, 254, 0, "RM", 13568384UL, 8L)]
    [InlineData("              dd-4256  [001]   408.433798: block_bio_queue:      7,0 RM 32 + 8 [dd]", EventKind.BioQueue, 7, 0, "RM", 32UL, 8L)]
    public void Block_events(string line, EventKind kind, int major, int minor, string rwbs, ulong sector, long sectors)
    {
        var e = One(line, kind);
        Assert.Equal(new DeviceNumber(major, minor), e.Payload.Dev);
        Assert.Equal(rwbs, e.Payload.Rwbs);
        Assert.Equal(sector, e.Payload.Sector);
        Assert.Equal(sectors, e.Payload.Sectors);
    }

    [Theory]
    [InlineData("            expr-4003    [001] .....   370.722605: block_unplug: [xfs_freeze] 5", 5L)]
    [InlineData("              dd-3685    [000] .....   338.776777: block_unplug: [bash] 1", 1L)]
    [InlineData("       perf-exec  4125 [000]   392.337848:                     block:block_unplug: [perf-exec] 1", 1L)]
    public void Block_unplug_count(string line, long count)
    {
        var e = One(line, EventKind.Unplug);
        Assert.Equal(count, e.Payload.Count);
    }

    [Theory]
    [InlineData("              dd-3884    [000] .....   360.611115: mm_vmscan_memcg_reclaim_begin: order=0 gfp_flags=GFP_NOFS|__GFP_HIGHMEM|__GFP_MOVABLE|__GFP_HARDWALL",
                "GFP_NOFS|__GFP_HIGHMEM|__GFP_MOVABLE|__GFP_HARDWALL")]
    [InlineData("            bash-3886    [001] .....   360.620496: mm_vmscan_memcg_reclaim_begin: order=0 gfp_flags=GFP_HIGHUSER_MOVABLE", "GFP_HIGHUSER_MOVABLE")]
    public void Memcg_reclaim_begin(string line, string gfp)
    {
        var e = One(line, EventKind.ReclaimBegin);
        Assert.Equal(ReclaimScope.Memcg, e.Payload.Reclaim);
        Assert.Equal(0, e.Payload.Order);
        Assert.Equal(gfp, e.Payload.GfpFlags);
    }

    [Theory]
    [InlineData("mm_vmscan_direct_reclaim_begin", ReclaimScope.Direct)]
    [InlineData("mm_vmscan_memcg_softlimit_reclaim_begin", ReclaimScope.MemcgSoftLimit)]
    [InlineData("mm_vmscan_node_reclaim_begin", ReclaimScope.Node)]
    public void Reclaim_scope_from_the_event_name(string name, ReclaimScope scope)
    {
        var e = One($"              dd-3884    [000] .....   360.611115: {name}: order=3 gfp_flags=GFP_KERNEL", EventKind.ReclaimBegin);
        Assert.Equal(scope, e.Payload.Reclaim);
        Assert.Equal(3, e.Payload.Order);
    }

    [Theory]
    [InlineData("    kworker/u8:4-3693    [001] ...1.   370.792051: contention_begin: 0000000050c5a201 (flags=READ|PERCPU)", 0x50c5a201UL, "READ|PERCPU")]
    [InlineData("    kworker/u8:3-3692    [000] ...1.   360.612791: contention_begin: 000000008626cdd5 (flags=SPIN|WRITE)", 0x8626cdd5UL, "SPIN|WRITE")]
    [InlineData("    kworker/u8:1-33      [001] dN.2.   360.614699: contention_begin: 00000000f4ef8819 (flags=WRITE)", 0xf4ef8819UL, "WRITE")]
    public void Lock_contention_begin(string line, ulong address, string flags)
    {
        var e = One(line, EventKind.LockContentionBegin);
        Assert.Equal(address, e.Payload.LockAddress);
        Assert.Equal(flags, e.Payload.LockFlags);
    }

    [Fact]
    public void A_payload_that_lacks_its_facts_is_kept_with_a_diagnostic()
    {
        var (session, events) = Run.Text("              dd-3685    [001] .....   338.902463: block_bio_queue: garbage\n");
        var e = Assert.Single(events);
        Assert.Equal(EventKind.BioQueue, e.Kind);
        Assert.Null(e.Payload.Sector);
        var d = Assert.Single(session.Tables.Diagnostics.Kept);
        Assert.Equal("payload-mismatch", d.Code);
        Assert.Equal(1, d.Line);
    }

    [Fact]
    public void Unknown_events_are_kept_undecoded()
    {
        var (session, events) = Run.Text("              dd-3685    [001] .....   338.902463: xfs_something_new: dev 7:0 ino 0x83\n");
        var e = Assert.Single(events);
        Assert.Equal(EventKind.Unknown, e.Kind);
        Assert.Equal("xfs_something_new", e.Name);
        Assert.Null(e.Payload.Dev);
        Assert.Empty(session.Tables.Diagnostics.Kept);
    }

    [SkippableFact]
    public void Real_captures_decode_without_payload_mismatches()
    {
        var dir = Require.RealTraces();
        foreach (var file in new[] { "xfs-fsync.ftrace.txt", "xfs-fsync.trace-cmd-report.txt", "xfs-fsync.perf-script-nostack.txt",
                                     "xfs-frozen-backing-stall.ftrace.txt", "xfs-memcg-reclaim.ftrace.txt.gz" })
        {
            var (session, events) = Run.Files(Path.Combine(dir, file));
            Assert.NotEmpty(events);
            var mismatches = session.Tables.Diagnostics.Kept.Where(d => d.Code == "payload-mismatch").ToList();
            Assert.True(mismatches.Count == 0, $"{file}: {string.Join("; ", mismatches.Select(d => $"{d.Line}: {d.Message}"))}");
            Assert.All(events.Where(e => e.Kind == EventKind.WritebackWait), e => Assert.True(e.Payload.HasPageIdentity));
        }
    }

    [Fact]
    public void Workqueue_events_name_the_work_item_its_workqueue_and_function()
    {
        var queued = One("    dd-24435    [001] .....  4623.254000: workqueue_queue_work: work struct=000000002676c8e9 function=loop_rootcg_workfn workqueue=loop2 req_cpu=8192 cpu=4294967295", EventKind.WorkQueued);
        Assert.Equal(new WorkItemFacts(0x2676c8e9, "loop2"), queued.Payload.Work);
        Assert.Equal("loop_rootcg_workfn", queued.Payload.Function);
        var start = One("    kworker/u8:0-17183   [000] .....  4623.254100: workqueue_execute_start: work struct 000000002676c8e9: function loop_rootcg_workfn", EventKind.WorkStart);
        Assert.Equal(new WorkItemFacts(0x2676c8e9, null), start.Payload.Work);
        Assert.Equal("loop_rootcg_workfn", start.Payload.Function);
    }
}
