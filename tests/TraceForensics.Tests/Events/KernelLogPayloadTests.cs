using TraceForensics.Events.Model;
using TraceForensics.Ingest.Formats;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Events;

/// <summary>The kernel-log reader hands what it parsed to the Events layer typed: each fact lands in its own field of
/// the event's family, and text of the log (a comm, a class name) can only ever be the value of its own field.</summary>
public class KernelLogPayloadTests
{
    private static List<TraceEvent> Read(string text)
    {
        var (session, events) = Run.Text(text, TraceFormat.Dmesg);
        Assert.DoesNotContain(session.Tables.Diagnostics.Kept, d => d.Code == "payload-mismatch");
        return events;
    }

    [Fact]
    public void Hung_task_report_fills_its_family()
    {
        var events = Read(
            "[  376.749647] INFO: task kworker/u8:4:3693 blocked for more than 122 seconds.\n" +
            "[  376.755599] task:kworker/u8:4    state:D stack:0     pid:3693  tgid:3690  ppid:2      task_flags:0x4388060 flags:0x00080000\n" +
            "[  376.755601] Workqueue: loop2 loop_rootcg_workfn\n");
        var hang = Assert.Single(events, e => e.Kind == EventKind.ProcessHang);
        Assert.Equal(122, hang.Payload.HungTask.Seconds);
        Assert.Null(hang.Payload.Count);
        Assert.Null(hang.Payload.OtherPid);
        var details = events.Where(e => e.Kind == EventKind.HungTaskDetail).ToList();
        Assert.Equal(2, details.Count);
        Assert.Equal(TaskState.Uninterruptible, details[0].Payload.HungTask.State);
        Assert.Equal(3690, details[0].Payload.HungTask.Tgid);
        Assert.Equal(2, details[0].Payload.HungTask.Ppid);
        Assert.Null(details[0].Payload.OtherPid); // the tgid is not "the other task" of the event
        Assert.Equal("loop2 loop_rootcg_workfn", details[1].Payload.HungTask.Workqueue);
    }

    [Theory]
    [InlineData("INFO: task dd:4005 is blocked on a mutex likely owned by task kworker/0:1:12.", LockOwnerKind.Mutex, 12, "kworker/0:1")]
    [InlineData("INFO: task dd:4005 is blocked on a semaphore likely owned by task kworker/0:1:12.", LockOwnerKind.Semaphore, 12, "kworker/0:1")]
    [InlineData("INFO: task dd:4005 <writer> blocked on an rw-semaphore likely owned by task sync:77.", LockOwnerKind.RwSemaphore, 77, "sync")]
    [InlineData("INFO: task dd:4005 is blocked on a mutex, but the owner is not found.", LockOwnerKind.Mutex, null, null)]
    public void Blocker_line_names_the_lock_kind_and_owner(string line, LockOwnerKind kind, int? owner, string? ownerComm)
    {
        var e = Assert.Single(Read(line + "\n"));
        Assert.Equal(EventKind.LockOwner, e.Kind);
        Assert.Equal(("dd", 4005), (e.Comm, e.Pid));
        Assert.Equal(kind, e.Payload.LockOwner.Kind);
        Assert.Equal(owner, e.Payload.LockOwner.Pid);
        Assert.Equal(ownerComm, e.Payload.LockOwner.Comm);
        Assert.Null(e.Payload.LockFlags);
        // Another family's view of the same facts is empty: a blocker line is no lockdep report, hung task or held lock.
        Assert.Equal(LockdepReportKind.None, e.Payload.Lockdep.Kind);
        Assert.Null(e.Payload.Lockdep.HeldClass);
        Assert.Null(e.Payload.HungTask.Tgid);
        Assert.Null(e.Payload.HeldLock.Class);
    }

    [Fact]
    public void Held_lock_names_its_class_address_and_acquire_site()
    {
        var events = Read(
            "[  1.0] 2 locks held by kworker/u8:4/3693:\n" +
            "[  1.0]  #0: ffff888104bd0d38 (&type->i_mutex_key#10){++++}-{4:4}, at: lock_two_nondirectories+0x6b/0xc0\n" +
            "[  1.0]  #1: ffffffff83b8a1e0 ((wq_completion)\"writeback\"){+.+.}-{0:0}, at: process_one_work+0x1a/0x60\n");
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Equal((EventKind.LockHeld, "kworker/u8:4", 3693), (e.Kind, e.Comm, e.Pid)));
        Assert.Equal("&type->i_mutex_key#10", events[0].Payload.HeldLock.Class);
        Assert.Equal(0xffff888104bd0d38UL, events[0].Payload.HeldLock.Address);
        Assert.Equal("lock_two_nondirectories", events[0].Payload.HeldLock.AcquireSite);
        Assert.Null(events[0].Payload.Function); // the acquire site is not a probed or traced function
        Assert.Equal("(wq_completion)\"writeback\"", events[1].Payload.HeldLock.Class);
    }

    [Fact]
    public void Lockdep_report_names_its_kind_classes_and_chain()
    {
        var e = Assert.Single(Read(
            "[  1.0] WARNING: possible circular locking dependency detected\n" +
            "[  1.0] dd/4005 is trying to acquire lock:\n" +
            "[  1.0] ffff8881 (&sb->s_type->i_mutex_key#3){+.+.}-{3:3}, at: inode_lock+0x1/0x2\n" +
            "[  1.0] but task is already holding lock:\n" +
            "[  1.0] ffff8882 (sb_writers#3){.+.+}-{0:0}, at: vfs_write+0x1/0x2\n" +
            "[  1.0] the existing dependency chain (in reverse order) is:\n" +
            "[  1.0] -> #1 (sb_writers#3){.+.+}-{0:0}:\n" +
            "[  1.0] -> #0 (&sb->s_type->i_mutex_key#3){+.+.}-{3:3}:\n" +
            "[  1.0] other info that might help us debug this:\n"));
        Assert.Equal(EventKind.LockdepReport, e.Kind);
        Assert.Equal(LockdepReportKind.Circular, e.Payload.Lockdep.Kind);
        Assert.Equal("sb_writers#3", e.Payload.Lockdep.HeldClass);
        Assert.Equal("&sb->s_type->i_mutex_key#3", e.Payload.Lockdep.WantedClass);
        Assert.Equal(["sb_writers#3", "&sb->s_type->i_mutex_key#3"], e.Payload.Lockdep.Chain!);
    }

    [Fact]
    public void Tabs_and_key_text_in_a_comm_or_class_forge_no_field()
    {
        // The reader used to hand these on as tab-separated key=value text; a tab or "key=" inside a name is now only
        // part of that name.
        var events = Read(
            "[  1.0] INFO: task ev\til\tkind=rwsem\towner=1:77 is blocked on a mutex likely owned by task x\towner=2\towner_comm=init:9.\n" +
            "[  1.0] 1 lock held by dd/4005:\n" +
            "[  1.0]  #0: ffff888104bd0d38 (cls\tat=forged_site\taddr=dead){++++}-{4:4}, at: real_site+0x6b/0xc0\n" +
            "[  1.0] WARNING: possible recursive locking detected\n" +
            "[  1.0] dd/4005 is trying to acquire lock:\n" +
            "[  1.0] ffff8881 (a\twanted=forged\treport=dept){+.+.}-{3:3}, at: f+0x1/0x2\n" +
            "[  1.0] but task is already holding lock:\n" +
            "[  1.0] ffff8882 (b\theld=forged){.+.+}-{0:0}, at: g+0x1/0x2\n" +
            "[  1.0] stack backtrace:\n");
        Assert.Equal(3, events.Count);

        var blocker = events[0];
        Assert.Equal(("ev\til\tkind=rwsem\towner=1", 77), (blocker.Comm, blocker.Pid));
        Assert.Equal(LockOwnerKind.Mutex, blocker.Payload.LockOwner.Kind);
        Assert.Equal(9, blocker.Payload.LockOwner.Pid);
        Assert.Equal("x\towner=2\towner_comm=init", blocker.Payload.LockOwner.Comm);

        var held = events[1].Payload.HeldLock;
        Assert.Equal("cls\tat=forged_site\taddr=dead", held.Class);
        Assert.Equal("real_site", held.AcquireSite);
        Assert.Equal(0xffff888104bd0d38UL, held.Address);

        var lockdep = events[2].Payload.Lockdep;
        Assert.Equal(LockdepReportKind.Recursive, lockdep.Kind);
        Assert.Equal("a\twanted=forged\treport=dept", lockdep.WantedClass);
        Assert.Equal("b\theld=forged", lockdep.HeldClass);
        Assert.Null(lockdep.Chain);
    }
}
