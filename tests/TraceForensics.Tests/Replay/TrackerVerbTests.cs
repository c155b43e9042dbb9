using TraceForensics.Events.Model;
using TraceForensics.Replay.Bios;
using TraceForensics.Replay.Evidence;
using TraceForensics.Replay.Pages;
using TraceForensics.Replay.Tasks;
using TraceForensics.Ingest.Formats;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Replay;

/// <summary>Tier one: the trackers' verbs called directly (no engine, no analysis), with events read from ftrace
/// lines through the real tokenizer and decoders.</summary>
public class TrackerVerbTests
{
    internal static readonly DeviceNumber Dev = new(8, 16);
    internal static PageKey Page(long index, ulong ino = 131) => new(Dev, ino, index);
    internal static EvidenceLine Line(long line) => new(0, line, 338_900_000_000L + line);

    /// <summary>One event from one ftrace line, checked to be of the kind the test needs.</summary>
    internal static TraceEvent Event(string line, EventKind kind)
    {
        var (_, events) = Run.Text(line + "\n", TraceFormat.Ftrace);
        var e = Assert.Single(events);
        Assert.Equal(kind, e.Kind);
        return e;
    }

    private const string Flusher = "    kworker/u8:9-47190   [001] .....   ";
    private static TraceEvent AddToIoend(string ts) => Event(Flusher + ts + ": iomap_add_to_ioend: dev 8:16 ino 0x83 bdev 8:16 pos 0x64000 dirty len 0x1000 addr 0x5000000 offset 0x64000 length 0x1000 type MAPPED (0x2) flags  (0x0)", EventKind.WritebackStart);
    private static TraceEvent BioQueue(string who, string ts, ulong sector, int sectors) =>
        Event($"{who}{ts}: block_bio_queue: 8,16 W {sector} + {sectors} [kworker/u8:9]", EventKind.BioQueue);
    private static TraceEvent RqComplete(string ts, ulong sector, int sectors) =>
        Event($"          <idle>-0       [001] ..s1.   {ts}: block_rq_complete: 8,16 W () {sector} + {sectors} be,0,4 [0]", EventKind.RequestComplete);

    [Fact]
    public void Page_lock_acquired_then_released_leaves_no_holder_and_drops_the_idle_page()
    {
        var pages = new PageTracker();
        pages.PageLockAcquired(Page(101), 47211, Line(1), observed: true, rule: null);
        Assert.Equal(47211, pages.Get(Page(101))!.LockHolder);
        Assert.Equal(Page(101), pages.HeldBy(47211)?.Key); // a copy of the page's state read out now (PageState)

        pages.PageUnlock(Page(101));
        Assert.Null(pages.HeldBy(47211));
        Assert.Null(pages.Get(Page(101))); // neither locked nor under writeback: dropped
        Assert.Empty(pages.Live);
    }

    [Fact]
    public void Unlocking_a_page_under_writeback_keeps_it_without_a_holder()
    {
        var pages = new PageTracker();
        pages.WritebackStart(Page(100), 47190, ioend: null);
        pages.PageLockAcquired(Page(100), 47211, Line(2), observed: false, rule: InferenceRules.FaultHoldsFaultedPage);
        Assert.Equal(InferenceRules.FaultHoldsFaultedPage, pages.Get(Page(100))!.LockRule);

        pages.PageUnlock(Page(100));
        var page = Assert.Single(pages.Live);
        Assert.Null(page.LockHolder);
        Assert.Null(page.LockRule);
        Assert.True(page.UnderWriteback);
        Assert.Equal(47190, page.WritebackBy);

        pages.WritebackEnd(Page(100));
        Assert.Empty(pages.Live);
    }

    [Fact]
    public void A_task_holding_several_page_locks_is_reported_with_the_lowest_page()
    {
        var pages = new PageTracker();
        pages.PageLockAcquired(Page(7, ino: 200), 10, Line(1), true, null);
        pages.PageLockAcquired(Page(101), 10, Line(2), true, null);
        pages.PageLockAcquired(Page(100), 11, Line(3), true, null);
        Assert.Equal(Page(101), pages.HeldBy(10)!.Key);
        Assert.Equal(Page(100), pages.HeldBy(11)!.Key);
        Assert.Null(pages.HeldBy(12));
    }

    [Fact]
    public void Bio_queued_then_completed_ends_the_writeback_of_its_pages()
    {
        var pages = new PageTracker();
        var bios = new BioTracker();
        // Two contiguous pages (8 sectors each) go into one ioend at sector 163840.
        var add = AddToIoend("338.900010");
        var io = bios.AddToIoend(add, Dev, 163840, 8, Page(100));
        pages.WritebackStart(Page(100), add.Pid, io);
        Assert.Same(io, bios.AddToIoend(add, Dev, 163848, 8, Page(101)));
        pages.WritebackStart(Page(101), add.Pid, io);
        Assert.Equal("bio 8:16 sector 163840", io.ToString());
        Assert.Equal(16UL, io.Sectors);
        Assert.Same(io, Assert.Single(bios.Unsubmitted));
        Assert.Null(io.Submitted);

        bios.BioQueue(BioQueue(Flusher, "338.900020", 163840, 16));
        Assert.Empty(bios.Unsubmitted);
        Assert.Same(io, Assert.Single(bios.SubmittedNotCompleted));
        Assert.NotNull(io.Submitted);
        Assert.Null(io.SubmissionRule); // matched by its known sectors
        Assert.NotNull(bios.InFlightAt(Dev, 163845));

        // A completion elsewhere on the device leaves it in flight.
        Assert.Empty(bios.Complete(RqComplete("338.900025", 500000, 8)));
        Assert.Same(io, Assert.Single(bios.SubmittedNotCompleted));

        var done = Assert.Single(bios.Complete(RqComplete("338.900030", 163840, 16)));
        Assert.Same(io, done);
        Assert.NotNull(done.Completed);
        Assert.Empty(bios.SubmittedNotCompleted);
        Assert.Null(bios.InFlightAt(Dev, 163845));
        Assert.Equal(2, bios.Device(Dev)!.CompletedCount);

        // What the engine does with the completed ioends: their pages leave writeback (and, idle, are dropped).
        Assert.Equal([Page(100), Page(101)], done.Pages);
        Assert.All(done.Pages, p => Assert.True(pages.Get(p)!.UnderWriteback));
        foreach (var p in done.Pages) pages.WritebackEnd(p);
        Assert.Empty(pages.Live);
    }

    [Fact]
    public void Bio_without_a_disk_address_learns_its_sectors_when_its_builder_submits_it()
    {
        var bios = new BioTracker();
        var add = AddToIoend("338.900010"); // only its pid, comm and line are used by AddToPendingBio
        var io = bios.AddToPendingBio(add, Dev, Page(100));
        Assert.Same(io, bios.AddToPendingBio(add, Dev, Page(101)));
        Assert.False(io.SectorKnown);
        Assert.Equal("bio 8:16 built by 47190, not submitted", io.ToString());

        // Another task's bio on the device does not submit it.
        bios.BioQueue(BioQueue("              dd-3685    [000] .....   ", "338.900015", 163840, 16));
        Assert.Same(io, Assert.Single(bios.Unsubmitted));

        bios.BioQueue(BioQueue(Flusher, "338.900020", 200000, 16));
        Assert.Empty(bios.Unsubmitted);
        Assert.True(io.SectorKnown);
        Assert.Equal(200000UL, io.StartSector);
        Assert.Equal(16UL, io.Sectors);
        Assert.Equal(InferenceRules.BuilderSubmitsItsBio, io.SubmissionRule);
        Assert.Equal("bio 8:16 sector 200000", io.ToString());
    }

    [Fact]
    public void Pid_reused_after_exit_is_a_new_generation()
    {
        var tasks = new TaskTracker();
        var fork1 = Event("            bash-3954    [001] .....   370.700000: sched_process_fork: comm=bash pid=3954 child_comm=bash child_pid=4002", EventKind.ProcessFork);
        tasks.ProcessFork(fork1);
        var first = tasks.Get(4002)!;
        Assert.Equal(0, first.Generation);
        Assert.Equal(TaskRunState.Runnable, first.State);

        tasks.ProcessExit(Event("         dirname-4002    [001] .....   370.719730: sched_process_exit: comm=dirname pid=4002 prio=120 group_dead=true", EventKind.ProcessExit));
        Assert.Equal(TaskRunState.Dead, first.State);
        Assert.Same(first, tasks.Get(4002));

        tasks.ProcessFork(Event("            bash-3954    [001] .....   370.800000: sched_process_fork: comm=bash pid=3954 child_comm=bash child_pid=4002", EventKind.ProcessFork));
        var second = tasks.Get(4002)!;
        Assert.NotSame(first, second);
        Assert.Equal(1, second.Generation);
        Assert.Equal(TaskRunState.Runnable, second.State);
        Assert.Equal(370_800_000_000L, second.StateSinceNs);
        Assert.Equal(TaskRunState.Dead, first.State); // the old record is left as it was
    }

    [Fact]
    public void A_blocked_task_whose_pid_is_reused_is_no_longer_blocked()
    {
        var tasks = new TaskTracker();
        tasks.SchedSwitch(Event("              dd-4002    [000] d..2.   370.700000: sched_switch: prev_comm=dd prev_pid=4002 prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120", EventKind.SchedSwitch));
        var blocked = tasks.Get(4002)!;
        Assert.True(blocked.IsBlocked);
        Assert.Contains(blocked, tasks.Blocked);

        tasks.ProcessFork(Event("            bash-3954    [001] .....   370.800000: sched_process_fork: comm=bash pid=3954 child_comm=bash child_pid=4002", EventKind.ProcessFork));
        Assert.DoesNotContain(blocked, tasks.Blocked);
        Assert.False(tasks.Get(4002)!.IsBlocked);
        Assert.Empty(tasks.Blocked);
    }
}
