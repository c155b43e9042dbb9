namespace TraceForensics.Events.Model;

/// <summary>A task's state as <c>sched_switch</c> prints <c>prev_state</c>: <c>R R+ S D D|K I T t X Z P W</c>.</summary>
[Flags]
public enum TaskState : ushort
{
    None = 0,
    /// <summary>R: runnable (preempted).</summary>
    Running = 1 << 0,
    /// <summary>S: interruptible sleep.</summary>
    Sleeping = 1 << 1,
    /// <summary>D: uninterruptible sleep, what khungtaskd watches.</summary>
    Uninterruptible = 1 << 2,
    /// <summary>K: wakekill (killable sleep, with D).</summary>
    Killable = 1 << 3,
    /// <summary>I: idle kernel thread.</summary>
    Idle = 1 << 4,
    /// <summary>T or t: stopped or traced.</summary>
    Stopped = 1 << 5,
    /// <summary>X or Z: dead or zombie.</summary>
    Dead = 1 << 6,
    /// <summary>P: parked.</summary>
    Parked = 1 << 7,
    /// <summary>W: waking.</summary>
    Waking = 1 << 8,
    /// <summary>+: preempted while running.</summary>
    Preempted = 1 << 9,
}
