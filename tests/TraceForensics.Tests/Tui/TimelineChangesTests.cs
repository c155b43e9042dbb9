using TraceForensics.Replay.Tasks;
using TraceForensics.Tui;

namespace TraceForensics.Tests.Tui;

public class TimelineChangesTests
{
    private static TaskRecord Task(int pid, TaskRunState state) => new(pid, 0, "t") { State = state };

    [Fact]
    public void A_task_gone_is_forgotten_and_its_pid_used_again_starts_afresh()
    {
        var changes = new TimelineChanges();
        changes.Track(Task(5, TaskRunState.Running), 10);
        changes.Track(Task(6, TaskRunState.Sleeping), 11);
        changes.Track(Task(5, TaskRunState.Running), 12); // no change
        changes.Track(Task(5, TaskRunState.Dead), 13);
        Assert.Equal(1, changes.Known); // pid 6 only
        changes.Track(Task(5, TaskRunState.Running), 20); // the pid again, a new task
        Assert.Equal([(5, 10L, '='), (6, 11L, 'S'), (5, 13L, 'X'), (5, 20L, '=')], changes.Take());
        Assert.Empty(changes.Take());
    }
}
