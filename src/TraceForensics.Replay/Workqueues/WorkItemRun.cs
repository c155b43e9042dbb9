using TraceForensics.Replay.Evidence;

namespace TraceForensics.Replay.Workqueues;

/// <summary>A work item a kworker is running: its workqueue (when the trace showed it queued), its function, and the
/// workqueue_execute_start that began it.</summary>
public sealed record WorkItemRun(ulong Work, string? Workqueue, string? Function, EvidenceLine Start)
{
    /// <summary>The loop device of workqueue <c>loopN</c> (also as a hung-task report's "Workqueue: loopN fn" words) with the
    /// default max_part=0: drivers/block/loop.c loop_configure names the workqueue alloc_workqueue("loop%d", ...,
    /// lo->lo_number) and loop_add gives the disk first_minor = N &lt;&lt; part_shift. <see cref="ReplayState.LoopOfWorkqueue"/>
    /// maps it through the topology when one names the loop.</summary>
    public static Events.Model.DeviceNumber? LoopOf(string? workqueue)
    {
        if (workqueue is null) return null;
        int space = workqueue.IndexOf(' ');
        var name = space < 0 ? workqueue.AsSpan() : workqueue.AsSpan(0, space);
        return name.Length > 4 && name.StartsWith("loop", StringComparison.Ordinal)
            && int.TryParse(name[4..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n)
            ? new Events.Model.DeviceNumber(Events.Model.DeviceNumber.LoopMajor, n) : null;
    }
}
