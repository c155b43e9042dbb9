namespace TraceForensics.Scenarios;

/// <summary>The deadlock of vocabulary section 4 and its relatives, on an XFS/iomap file (dev 8:16, inode 131):
/// W = the flusher kworker/u8:9 (47190), F = postgres (47211) faulting on page A (index 101) while page B
/// (index 100) sits in W's unsubmitted ioend at sector 163840.</summary>
public static class LkmlScenarios
{
    private const string Dev = "8:16";
    private const int W = 47190, F = 47211;
    private const string WComm = "kworker/u8:9", FComm = "postgres";
    private const string FolioA = "0xffffea0004a1b040", FolioB = "0xffffea0004a1b000";

    private static ScenarioEvent Wev(long us, string sub, string name, string payload, string flags = ".....") => new(us, WComm, W, 1, flags, sub, name, payload);
    private static ScenarioEvent Fev(long us, string sub, string name, string payload, string flags = ".....") => new(us, FComm, F, 0, flags, sub, name, payload);

    /// <summary>A kprobe: ftrace prints the user's event name and (func+off/size); perf prints probe:func and addresses.</summary>
    private static ScenarioEvent Probe(ScenarioEvent e, string perfPayload) =>
        e with { Subsystem = "probe", PerfPayload = perfPayload, PerfName = ProbedFunction(e.Payload) };

    private static string ProbedFunction(string payload)
    {
        var inner = payload[1..payload.IndexOf(')')];
        var arrow = inner.IndexOf("<- ", StringComparison.Ordinal);
        return arrow >= 0 ? inner[(arrow + 3)..] + "__return" : inner[..inner.IndexOf('+')];
    }

    /// <summary>Step 1: W locks B, sets writeback, adds B to its ioend (addr 0x5000000 = sector 163840), unlocks B.</summary>
    private static IEnumerable<ScenarioEvent> WBuildsIoendWithB() =>
    [
        Wev(0, "writeback", "writeback_single_inode_start", $"bdi {Dev}: ino=131 state=I_DIRTY_PAGES|I_SYNC dirtied_when=4294984846 age=0 index=0 to_write=1024 wrote=0 cgroup_ino=1"),
        Wev(10, "iomap", "iomap_writeback_folio", $"dev {Dev} ino 0x83 size 0x100000 offset 0x64000 length 0x1000"),
        Wev(12, "iomap", "iomap_add_to_ioend", $"dev {Dev} ino 0x83 bdev {Dev} pos 0x64000 dirty len 0x1000 addr 0x5000000 offset 0x64000 length 0x1000 type MAPPED (0x2) flags  (0x0)"),
        Probe(Wev(14, "probe", "folio_unlock", $"(folio_unlock+0x0/0x30) folio={FolioB} index=100 ino=131"), $"(ffffffff81f2a0e0) folio={FolioB} index=100 ino=131"),
    ];

    /// <summary>How the events name the scenario's file: the filemap events' device (the superblock's s_dev), the
    /// writeback events' bdi, the inode; and the stack of a fault sleeping on the faulted page's lock there.</summary>
    private sealed record FileNames(string FaultDev, string Bdi, int Ino, string[] FaultLockStack);
    private static readonly FileNames XfsFile = new(Dev, Dev, 131, Stacks.FaultWaitsPageLock);
    private static readonly FileNames Ext4File = new(Dev, Dev, 131, Stacks.FilemapFaultWaitsPageLock);
    /// <summary>btrfs on 8:16: its superblock's anonymous device 0:39, its own bdi btrfs-10 (fs/btrfs/disk-io.c
    /// btrfs_fill_super -> super_setup_bdi), inode 257 (the first file of a subvolume, BTRFS_FIRST_FREE_OBJECTID).</summary>
    private static readonly FileNames BtrfsFile = new("0:39", "btrfs-10", 257, Stacks.FilemapFaultWaitsPageLock);
    private const string BtrfsFsid = "d35deade-b858-4610-add8-a40444b30954";

    /// <summary>Step 2-3: F faults on A; filemap_fault returns with A locked (observed through the page-lock probes
    /// when <paramref name="observeLock"/>); the pte allocation enters memcg reclaim, which waits for B's writeback.</summary>
    private static IEnumerable<ScenarioEvent> FFaultsAndWaits(bool observeLock, FileNames? file = null)
    {
        var fs = file ?? XfsFile;
        int ino = fs.Ino;
        yield return Fev(100, "filemap", "mm_filemap_fault", $"dev={fs.FaultDev} ino={ino:x} ofs=413696");
        if (observeLock)
        {
            // The slow path: A is locked while its read completes, so F sleeps in __folio_lock until the read's
            // completion unlocks A and wakes it; the return probe then says F holds A.
            yield return Probe(Fev(105, "probe", "folio_lock", $"(__folio_lock+0x0/0x40) folio={FolioA} index=101 ino={ino}"),
                $"(ffffffff81f2a140) folio={FolioA} index=101 ino={ino}");
            yield return Fev(107, "sched", "sched_switch",
                $"prev_comm={FComm} prev_pid={F} prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120", "d..2.")
                with { Stack = fs.FaultLockStack };
            yield return new ScenarioEvent(120, "<idle>", 0, 0, "d.s4.", "sched", "sched_waking", $"comm={FComm} pid={F} prio=120 target_cpu=000");
            yield return new ScenarioEvent(125, "<idle>", 0, 0, "d..2.", "sched", "sched_switch",
                $"prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm={FComm} next_pid={F} next_prio=120");
            yield return Probe(Fev(130, "probe", "folio_locked", "(filemap_fault+0x3a2/0x8c0 <- __folio_lock)"),
                "(ffffffff81f2a140 <- ffffffff81f3b2a2)");
        }
        yield return Fev(200, "vmscan", "mm_vmscan_memcg_reclaim_begin", "order=0 gfp_flags=GFP_KERNEL|__GFP_ACCOUNT");
        yield return Fev(230, "writeback", "folio_wait_writeback", $"bdi {fs.Bdi}: ino={ino} index=100");
        yield return Fev(235, "sched", "sched_switch",
            $"prev_comm={FComm} prev_pid={F} prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120", "d..2.")
            with { Stack = Stacks.FaultReclaimWaitsWriteback };
    }

    /// <summary>Step 4: W moves on to A and sleeps on its lock (the page-lock probe shows which page).</summary>
    private static IEnumerable<ScenarioEvent> WWaitsForA(string[] stack, int ino = 131) =>
    [
        Probe(Wev(300, "probe", "folio_lock", $"(__folio_lock+0x0/0x40) folio={FolioA} index=101 ino={ino}"), $"(ffffffff81f2a140) folio={FolioA} index=101 ino={ino}"),
        Wev(305, "sched", "sched_switch", $"prev_comm={WComm} prev_pid={W} prev_prio=120 prev_state=D ==> next_comm=swapper/1 next_pid=0 next_prio=120", "d..2.")
            with { Stack = stack },
    ];

    /// <summary>khungtaskd reports both, 3 s later.</summary>
    private static IEnumerable<ScenarioEvent> HangReports() =>
    [
        new ScenarioEvent(3_100_000, "khungtaskd", 31, 1, ".....", "sched", "sched_process_hang", $"comm={FComm} pid={F}"),
        new ScenarioEvent(3_100_060, "khungtaskd", 31, 1, ".....", "sched", "sched_process_hang", $"comm={WComm} pid={W}"),
    ];

    private const string DeadlockChain =
        "deadlock - bio:8:16:163840 task:47190 pagelock:8:16:131:101 task:47211 writeback:8:16:131:100";
    private const string ReclaimNote = "note -";

    public static Scenario KprobeHolder => new("lkml-xfs-kprobe-holder",
        "The LKML fault/writeback deadlock on XFS/iomap; F's lock of page A is observed through __folio_lock kprobe/kretprobe events.",
        [.. WBuildsIoendWithB(), .. FFaultsAndWaits(observeLock: true), .. WWaitsForA(Stacks.WritebackWaitsPageLock), .. HangReports()],
        [DeadlockChain, ReclaimNote]);

    public static Scenario InferredHolder => new("lkml-xfs-fault-inferred",
        "The same deadlock where F took A's lock on the fast path (no probe fired): the holder is inferred from F's fault context.",
        [.. WBuildsIoendWithB(), .. FFaultsAndWaits(observeLock: false), .. WWaitsForA(Stacks.WritebackWaitsPageLock), .. HangReports()],
        [DeadlockChain, ReclaimNote]);

    /// <summary>The near miss: W submits its bio before it waits for A, so B's writeback completes, F wakes, unlocks A.</summary>
    public static Scenario NearMiss => new("lkml-xfs-near-miss",
        "The same shape, but W submits the bio (block_bio_queue) before it sleeps on A: B's writeback completes, F finishes its fault and unlocks A, W gets A. A long wait, no deadlock.",
        [
            .. WBuildsIoendWithB(),
            .. WSubmitsItsBio(),
            .. FFaultsAndWaits(observeLock: true),
            .. WWaitsForA(Stacks.WritebackWaitsPageLock),
            .. BioCompletesAndAllResume("writeback_iter+0x1a2/0x3c0"),
        ],
        [ReclaimNote]);

    /// <summary>A stall: dd's fsync waits for writeback of a page whose bio was submitted and issued but never completes.</summary>
    public static Scenario BioNeverCompletes => new("xfs-bio-never-completes",
        "dd (47300) in fsync waits for writeback of page 8:16 ino 132 index 0; its bio (sector 200000) was submitted and issued but never completes: a stall rooted at device 8:16, not a cycle.",
        [
            new ScenarioEvent(0, "dd", 47300, 0, ".....", "iomap", "iomap_writeback_folio", $"dev {Dev} ino 0x84 size 0x1000 offset 0x0 length 0x1000"),
            new ScenarioEvent(4, "dd", 47300, 0, ".....", "iomap", "iomap_add_to_ioend", $"dev {Dev} ino 0x84 bdev {Dev} pos 0x0 dirty len 0x1000 addr 0x61a8000 offset 0x0 length 0x1000 type MAPPED (0x2) flags  (0x0)"),
            new ScenarioEvent(10, "dd", 47300, 0, ".....", "block", "block_bio_queue", "8,16 WS 200000 + 8 [dd]"),
            new ScenarioEvent(12, "dd", 47300, 0, ".....", "block", "block_rq_issue", "8,16 WS 4096 () 200000 + 8 be,0,4 [dd]"),
            new ScenarioEvent(20, "dd", 47300, 0, ".....", "writeback", "folio_wait_writeback", $"bdi {Dev}: ino=132 index=0"),
            new ScenarioEvent(25, "dd", 47300, 0, "d..2.", "sched", "sched_switch", "prev_comm=dd prev_pid=47300 prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120")
                with { Stack = Stacks.FsyncWaitsWriteback },
            new ScenarioEvent(3_100_000, "khungtaskd", 31, 1, ".....", "sched", "sched_process_hang", "comm=dd pid=47300"),
        ],
        ["stall device:8:16 task:47300 writeback:8:16:132:0 bio:8:16:200000 device:8:16"]);

    /// <summary>The two halves of the deadlock at different times, on different pages, each resolving: postgres holds a
    /// page lock while reclaim waits for writeback (which completes); later the flusher owns an unsubmitted bio while
    /// it waits for a page lock (which cat releases). No cycle in this run, but the class order is inverted.</summary>
    public static Scenario Potential => new("lkml-xfs-potential",
        "Both halves of the LKML deadlock, 20 ms apart on different pages, each resolving in time: no deadlock in this run, but page lock -> page writeback and page writeback -> page lock: a possible deadlock.",
        [
            new ScenarioEvent(0, "kworker/u8:7", 47195, 1, ".....", "iomap", "iomap_add_to_ioend", $"dev {Dev} ino 0x85 bdev {Dev} pos 0xa000 dirty len 0x1000 addr 0x5300000 offset 0xa000 length 0x1000 type MAPPED (0x2) flags  (0x0)"),
            new ScenarioEvent(6, "kworker/u8:7", 47195, 1, ".....", "block", "block_bio_queue", "8,16 W 169984 + 8 [kworker/u8:7]"),
            new ScenarioEvent(8, "kworker/u8:7", 47195, 1, ".....", "block", "block_rq_issue", "8,16 W 4096 () 169984 + 8 be,0,4 [kworker/u8:7]"),
            Fev(100, "filemap", "mm_filemap_fault", $"dev={Dev} ino=85 ofs=45056"),
            Probe(Fev(105, "probe", "folio_lock", "(__folio_lock+0x0/0x40) folio=0xffffea0004a1c2c0 index=11 ino=133"), "(ffffffff81f2a140) folio=0xffffea0004a1c2c0 index=11 ino=133"),
            Probe(Fev(130, "probe", "folio_locked", "(filemap_fault+0x3a2/0x8c0 <- __folio_lock)"), "(ffffffff81f2a140 <- ffffffff81f3b2a2)"),
            Fev(200, "vmscan", "mm_vmscan_memcg_reclaim_begin", "order=0 gfp_flags=GFP_KERNEL|__GFP_ACCOUNT"),
            Fev(230, "writeback", "folio_wait_writeback", $"bdi {Dev}: ino=133 index=10"),
            Fev(235, "sched", "sched_switch", $"prev_comm={FComm} prev_pid={F} prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120", "d..2.")
                with { Stack = Stacks.FaultReclaimWaitsWriteback },
            new ScenarioEvent(2_000, "<idle>", 0, 0, "..s1.", "block", "block_rq_complete", "8,16 W () 169984 + 8 be,0,4 [0]"),
            new ScenarioEvent(2_004, "<idle>", 0, 0, "d.s4.", "sched", "sched_waking", $"comm={FComm} pid={F} prio=120 target_cpu=000"),
            new ScenarioEvent(2_010, "<idle>", 0, 0, "d..2.", "sched", "sched_switch", $"prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm={FComm} next_pid={F} next_prio=120"),
            Fev(2_020, "vmscan", "mm_vmscan_memcg_reclaim_end", "nr_reclaimed=32"),
            Probe(Fev(2_040, "probe", "folio_unlock", "(folio_unlock+0x0/0x30) folio=0xffffea0004a1c2c0 index=11 ino=133"), "(ffffffff81f2a0e0) folio=0xffffea0004a1c2c0 index=11 ino=133"),

            Wev(20_000, "iomap", "iomap_writeback_folio", $"dev {Dev} ino 0x86 size 0x100000 offset 0x14000 length 0x1000"),
            Wev(20_002, "iomap", "iomap_add_to_ioend", $"dev {Dev} ino 0x86 bdev {Dev} pos 0x14000 dirty len 0x1000 addr 0x57e0000 offset 0x14000 length 0x1000 type MAPPED (0x2) flags  (0x0)"),
            Probe(new ScenarioEvent(20_050, "cat", 47220, 0, ".....", "probe", "folio_lock", "(__folio_lock+0x0/0x40) folio=0xffffea0004a1d540 index=21 ino=134"), "(ffffffff81f2a140) folio=0xffffea0004a1d540 index=21 ino=134"),
            Probe(new ScenarioEvent(20_060, "cat", 47220, 0, ".....", "probe", "folio_locked", "(filemap_read+0x1c4/0x3f0 <- __folio_lock)"), "(ffffffff81f2a140 <- ffffffff81f3c1a4)"),
            Probe(Wev(20_100, "probe", "folio_lock", "(__folio_lock+0x0/0x40) folio=0xffffea0004a1d540 index=21 ino=134"), "(ffffffff81f2a140) folio=0xffffea0004a1d540 index=21 ino=134"),
            Wev(20_105, "sched", "sched_switch", $"prev_comm={WComm} prev_pid={W} prev_prio=120 prev_state=D ==> next_comm=swapper/1 next_pid=0 next_prio=120", "d..2.")
                with { Stack = Stacks.WritebackWaitsPageLock },
            Probe(new ScenarioEvent(21_000, "cat", 47220, 0, ".....", "probe", "folio_unlock", "(folio_unlock+0x0/0x30) folio=0xffffea0004a1d540 index=21 ino=134"), "(ffffffff81f2a0e0) folio=0xffffea0004a1d540 index=21 ino=134"),
            new ScenarioEvent(21_002, "cat", 47220, 0, "d..3.", "sched", "sched_waking", $"comm={WComm} pid={W} prio=120 target_cpu=001"),
            new ScenarioEvent(21_010, "<idle>", 0, 1, "d..2.", "sched", "sched_switch", $"prev_comm=swapper/1 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm={WComm} next_pid={W} next_prio=120"),
            Probe(Wev(21_020, "probe", "folio_locked", "(writeback_iter+0x1a2/0x3c0 <- __folio_lock)"), "(ffffffff81f2a140 <- ffffffff81e0c3a2)"),
            Wev(21_030, "iomap", "iomap_add_to_ioend", $"dev {Dev} ino 0x86 bdev {Dev} pos 0x15000 dirty len 0x1000 addr 0x57e0000 offset 0x14000 length 0x2000 type MAPPED (0x2) flags  (0x0)"),
            Wev(21_040, "block", "block_bio_queue", "8,16 W 180000 + 16 [kworker/u8:9]"),
            Wev(21_042, "block", "block_rq_issue", "8,16 W 8192 () 180000 + 16 be,0,4 [kworker/u8:9]"),
            new ScenarioEvent(23_000, "<idle>", 0, 1, "..s1.", "block", "block_rq_complete", "8,16 W () 180000 + 16 be,0,4 [0]"),
        ],
        ["potential-deadlock - class:page-lock class:page-writeback", ReclaimNote]);

    /// <summary>ext4, form (a), its own tracepoints (include/trace/events/ext4.h of 6.18, whose ext4_da_write_pages is
    /// ext4_da_write_folios_start): W writes back inode 131 (writeback_single_inode_start), ext4_writepages, the walk
    /// from B, B's delayed extent mapped (ext4_da_write_pages_extent, then ext4_ext_map_blocks_exit: lblk 100 -> pblk
    /// 20480, sector 163840 with 4 KiB blocks) and B put under writeback into the bio W builds, not yet submitted.</summary>
    private static IEnumerable<ScenarioEvent> WBuildsExt4BioWithB() =>
    [
        Wev(0, "writeback", "writeback_single_inode_start", $"bdi {Dev}: ino=131 state=I_DIRTY_PAGES|I_SYNC dirtied_when=4294984846 age=0 index=100 to_write=1024 wrote=0 cgroup_ino=1"),
        Wev(2, "ext4", "ext4_writepages", "dev 8,16 ino 131 nr_to_write 1024 pages_skipped 0 range_start 0 range_end 9223372036854775807 sync_mode 0 for_kupdate 0 range_cyclic 1 writeback_index 100"),
        Wev(4, "ext4", "ext4_da_write_folios_start", "dev 8,16 ino 131 start_pos 0x64000 next_pos 0x64000 nr_to_write 1024 sync_mode 0"),
        Wev(6, "ext4", "ext4_da_write_pages_extent", "dev 8,16 ino 131 lblk 100 len 1 flags 0x100"),
        Wev(8, "ext4", "ext4_ext_map_blocks_exit", "dev 8,16 ino 131 flags CREATE|DELALLOC|METADATA_NOFAIL|IO_SUBMIT lblk 100 pblk 20480 len 1 mflags NM ret 1"),
    ];

    /// <summary>ext4, form (b): W writes back inode 131 of bdi 8:16 (writeback_single_inode_start) and B's writeback start
    /// is seen only through a <c>__folio_start_writeback</c> probe that names the folio, its index and inode but no
    /// device (the recording's <c>folio_start_wb</c> probe); then the unlock of B.</summary>
    private static IEnumerable<ScenarioEvent> WStartsWritebackOfBByProbe() =>
    [
        Wev(0, "writeback", "writeback_single_inode_start", $"bdi {Dev}: ino=131 state=I_DIRTY_PAGES|I_SYNC dirtied_when=4294984846 age=0 index=100 to_write=1024 wrote=0 cgroup_ino=1"),
        Probe(Wev(10, "probe", "folio_start_wb", $"(__folio_start_writeback+0x0/0x2c0) folio={FolioB} index=100 ino=131"), $"(ffffffff81e0b6a0) folio={FolioB} index=100 ino=131"),
        Probe(Wev(14, "probe", "folio_unlock", $"(folio_unlock+0x0/0x30) folio={FolioB} index=100 ino=131"), $"(ffffffff81f2a0e0) folio={FolioB} index=100 ino=131"),
    ];

    /// <summary>The near miss's resolution: B's bio completes, F's reclaim ends and it unlocks A, W gets A and unlocks it.</summary>
    private static IEnumerable<ScenarioEvent> BioCompletesAndAllResume(string wLockedAt, int ino = 131) =>
    [
        new ScenarioEvent(4_000, "<idle>", 0, 0, "..s1.", "block", "block_rq_complete", "8,16 W () 163840 + 8 be,0,4 [0]"),
        new ScenarioEvent(4_004, "<idle>", 0, 0, "d.s4.", "sched", "sched_waking", $"comm={FComm} pid={F} prio=120 target_cpu=000"),
        new ScenarioEvent(4_010, "<idle>", 0, 0, "d..2.", "sched", "sched_switch", $"prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm={FComm} next_pid={F} next_prio=120"),
        Fev(4_020, "vmscan", "mm_vmscan_memcg_reclaim_end", "nr_reclaimed=32"),
        Probe(Fev(4_040, "probe", "folio_unlock", $"(folio_unlock+0x0/0x30) folio={FolioA} index=101 ino={ino}"), $"(ffffffff81f2a0e0) folio={FolioA} index=101 ino={ino}"),
        Fev(4_042, "sched", "sched_waking", $"comm={WComm} pid={W} prio=120 target_cpu=001", "d..3."),
        new ScenarioEvent(4_050, "<idle>", 0, 1, "d..2.", "sched", "sched_switch", $"prev_comm=swapper/1 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm={WComm} next_pid={W} next_prio=120"),
        Probe(Wev(4_060, "probe", "folio_locked", $"({wLockedAt} <- __folio_lock)"), "(ffffffff81f2a140 <- ffffffff81e0c3a2)"),
        Probe(Wev(4_070, "probe", "folio_unlock", $"(folio_unlock+0x0/0x30) folio={FolioA} index=101 ino={ino}"), $"(ffffffff81f2a0e0) folio={FolioA} index=101 ino={ino}"),
    ];

    /// <summary>W queues and issues its bio (B at sector 163840) before it moves on to A.</summary>
    private static IEnumerable<ScenarioEvent> WSubmitsItsBio(long at = 20) =>
    [
        Wev(at, "block", "block_bio_queue", "8,16 W 163840 + 8 [kworker/u8:9]"),
        Wev(at + 2, "block", "block_rq_issue", "8,16 W 4096 () 163840 + 8 be,0,4 [kworker/u8:9]"),
    ];

    private const string Ext4DeadlockChain =
        "deadlock - bio:8:16:unsubmitted-by-47190 task:47190 pagelock:8:16:131:101 task:47211 writeback:8:16:131:100";
    private const string Ext4LockedAt = "mpage_prepare_extent_to_map+0x3f4/0x4c0";

    /// <summary>The original report's filesystem: ext4's writepages (mpage_prepare_extent_to_map) put B under writeback
    /// into the bio it is building, which has no disk address in the trace until it is submitted; then it waits for A.</summary>
    public static Scenario Ext4 => new("lkml-ext4-kprobe-holder",
        "The LKML deadlock as first reported, on ext4 (dev 8,16), seen through ext4's own tracepoints: the flusher's ext4_writepages maps page B's delayed block and puts B under writeback into its unsubmitted bio, then sleeps on page A's lock in mpage_prepare_extent_to_map; postgres holds A (observed through the probes) and waits in memcg reclaim for B's writeback.",
        [.. WBuildsExt4BioWithB(), .. FFaultsAndWaits(observeLock: true, file: Ext4File), .. WWaitsForA(Stacks.Ext4WritebackWaitsPageLock), .. HangReports()],
        [Ext4DeadlockChain, ReclaimNote]);

    public static Scenario Ext4InferredHolder => new("lkml-ext4-fault-inferred",
        "The ext4 deadlock through ext4's own tracepoints, where postgres took A's lock on the fast path (no probe fired): the holder is inferred from its fault context.",
        [.. WBuildsExt4BioWithB(), .. FFaultsAndWaits(observeLock: false, file: Ext4File), .. WWaitsForA(Stacks.Ext4WritebackWaitsPageLock), .. HangReports()],
        [Ext4DeadlockChain, ReclaimNote]);

    public static Scenario Ext4NearMiss => new("lkml-ext4-near-miss",
        "The ext4 shape through ext4's own tracepoints, but the flusher submits its bio (block_bio_queue at B's mapped sector) before it sleeps on A: B's writeback completes, postgres finishes its fault and unlocks A. A long wait, no deadlock.",
        [.. WBuildsExt4BioWithB(), .. WSubmitsItsBio(), .. FFaultsAndWaits(observeLock: true, file: Ext4File), .. WWaitsForA(Stacks.Ext4WritebackWaitsPageLock), .. BioCompletesAndAllResume(Ext4LockedAt)],
        [ReclaimNote]);

    public static Scenario Ext4ProbeKprobeHolder => new("lkml-ext4-wbprobe-kprobe-holder",
        "The ext4 deadlock where B's writeback start is seen only through a __folio_start_writeback probe with ino= and index= but no dev=: its device is that of the inode the flusher is writing back (writeback_single_inode_start bdi 8:16); postgres's hold of A is observed through the probes.",
        [.. WStartsWritebackOfBByProbe(), .. FFaultsAndWaits(observeLock: true, file: Ext4File), .. WWaitsForA(Stacks.Ext4WritebackWaitsPageLock), .. HangReports()],
        [Ext4DeadlockChain, ReclaimNote]);

    public static Scenario Ext4ProbeInferredHolder => new("lkml-ext4-wbprobe-fault-inferred",
        "The ext4 deadlock with B's writeback start seen through a __folio_start_writeback probe without dev=, and postgres's hold of A taken on the fast path: inferred from its fault context.",
        [.. WStartsWritebackOfBByProbe(), .. FFaultsAndWaits(observeLock: false, file: Ext4File), .. WWaitsForA(Stacks.Ext4WritebackWaitsPageLock), .. HangReports()],
        [Ext4DeadlockChain, ReclaimNote]);

    public static Scenario Ext4ProbeNearMiss => new("lkml-ext4-wbprobe-near-miss",
        "The ext4 shape with B's writeback start seen through a __folio_start_writeback probe without dev=, but the flusher submits its bio before it sleeps on A: B's writeback completes, postgres unlocks A. A long wait, no deadlock.",
        [.. WStartsWritebackOfBByProbe(), .. WSubmitsItsBio(), .. FFaultsAndWaits(observeLock: true, file: Ext4File), .. WWaitsForA(Stacks.Ext4WritebackWaitsPageLock), .. BioCompletesAndAllResume(Ext4LockedAt)],
        [ReclaimNote]);

    /// <summary>btrfs: the flusher writes back inode 257 (bdi btrfs-10), extent_writepage puts B under writeback into the
    /// bio it builds for the filesystem's device 8:16, then finds A locked: extent_write_cache_pages submits its bio
    /// before it sleeps on a page lock (fs/btrfs/extent_io.c: if (!folio_trylock(folio)) { submit_write_bio(bio_ctrl, 0);
    /// folio_lock(folio); }), so the LKML cycle cannot close on btrfs's writeback walk: B's bio completes, F unlocks A.</summary>
    public static Scenario BtrfsSubmitsFirst => new("lkml-btrfs-submits-first",
        "The LKML shape on btrfs (anonymous device 0:39 on 8:16, bdi btrfs-10, with the topology file naming them): the flusher's extent_writepage puts page B under writeback into its bio, postgres holds A (observed through the probes) and waits in memcg reclaim for B's writeback; the flusher finds A locked and, as btrfs's extent_write_cache_pages does, submits its bio before it sleeps on A's lock: B's writeback completes, postgres unlocks A. A long wait, no deadlock.",
        [
            Wev(0, "writeback", "writeback_single_inode_start", "bdi btrfs-10: ino=257 state=I_DIRTY_PAGES|I_SYNC dirtied_when=4294984846 age=0 index=100 to_write=1024 wrote=0 cgroup_ino=1"),
            Wev(6, "btrfs", "extent_writepage", $"{BtrfsFsid}: root=5(FS_TREE) ino=257 page_index=100 nr_to_write=1024 pages_skipped=0 range_start=0 range_end=9223372036854775807 for_kupdate=0 range_cyclic=1 writeback_index=100"),
            Probe(Wev(14, "probe", "folio_unlock", $"(folio_unlock+0x0/0x30) folio={FolioB} index=100 ino=257"), $"(ffffffff81f2a0e0) folio={FolioB} index=100 ino=257"),
            .. FFaultsAndWaits(observeLock: true, file: BtrfsFile),
            .. WSubmitsItsBio(at: 290),
            .. WWaitsForA(Stacks.BtrfsWritebackWaitsPageLock, ino: 257),
            .. BioCompletesAndAllResume("extent_write_cache_pages+0x2d4/0x5b0", ino: 257),
        ],
        [ReclaimNote])
    {
        Topology = $"""
            # tracefx topology v1
            mount 0:39 /var/lib/postgresql btrfs
            fs 0:39 type=btrfs blocksize=4096 bdi=btrfs-10
            btrfs {BtrfsFsid} bdi=btrfs-10 anon=0:39 devices=8:16

            """,
    };

    public static IReadOnlyList<Scenario> All =>
        [KprobeHolder, InferredHolder, Ext4, Ext4InferredHolder, Ext4NearMiss, Ext4ProbeKprobeHolder, Ext4ProbeInferredHolder, Ext4ProbeNearMiss,
         BtrfsSubmitsFirst, NearMiss, Potential, BioNeverCompletes];
}
