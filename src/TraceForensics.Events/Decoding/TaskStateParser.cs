using TraceForensics.Events.Model;

namespace TraceForensics.Events.Decoding;

/// <summary>Parses <c>prev_state</c> as printed by sched_switch: letters joined by '|' (<c>D|K</c>), '+' for preempted.</summary>
internal static class TaskStateParser
{
    public static TaskState Parse(ReadOnlySpan<byte> s)
    {
        var state = TaskState.None;
        foreach (byte b in s)
        {
            state |= b switch
            {
                (byte)'R' => TaskState.Running,
                (byte)'S' => TaskState.Sleeping,
                (byte)'D' => TaskState.Uninterruptible,
                (byte)'K' => TaskState.Killable,
                (byte)'I' => TaskState.Idle,
                (byte)'T' or (byte)'t' => TaskState.Stopped,
                (byte)'X' or (byte)'Z' => TaskState.Dead,
                (byte)'P' => TaskState.Parked,
                (byte)'W' => TaskState.Waking,
                (byte)'+' => TaskState.Preempted,
                _ => TaskState.None,
            };
        }
        return state;
    }
}
