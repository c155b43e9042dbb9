using System.Collections.Immutable;
using TraceForensics.Replay.Evidence;

namespace TraceForensics.Analysis.Findings;

/// <summary>A task in a finding: who, blocked since when, where (syzkaller's convention), its stack, and
/// khungtaskd's report of it if any.</summary>
public sealed record FindingTask(int Pid, string Comm, long BlockedSinceNs, string? BlockedIn, ImmutableArray<string> Stack, EvidenceLine? HangReport)
{
    /// <summary>Why the stack gives no title function (syzkaller would title its report "corrupted"), from
    /// <see cref="Replay.Tasks.HungTaskTitleRule"/>; null when it gives one or the task has no stack.</summary>
    public string? StackCorrupted { get; init; }
    /// <summary>Why <see cref="BlockedIn"/> is unknown where syzkaller would title the report "corrupted": a stack with no
    /// usable frame, or a hang report without a stack. Null when <see cref="BlockedIn"/> is known, or when the task was
    /// never reported hung and has no stack (nothing to title).</summary>
    public string? BlockedInCorrupted => BlockedIn is not null ? null
        : StackCorrupted ?? (HangReport is not null && Stack.IsDefaultOrEmpty ? Replay.Tasks.HungTaskTitleRule.NoStackTrace : null);
    /// <summary>Which life of the pid (0 for the first the input showed; a pid reused after an exit is the next).</summary>
    public int Generation { get; init; }
    /// <summary>The trace did not show the task going to sleep (only a hang report): it was blocked before <see cref="BlockedSinceNs"/>.</summary>
    public bool SinceUnknown { get; init; }
    /// <summary>"blocked for more than N seconds", from a kernel log's hung-task report.</summary>
    public long? ReportedBlockedSeconds { get; init; }
    /// <summary>A kworker's workqueue and work function, from a hung-task report.</summary>
    public string? Workqueue { get; init; }
    /// <summary>Locks a kernel log showed it holding: "(class) at site".</summary>
    public ImmutableArray<string> HeldLocks { get; init; } = [];
    /// <summary>When it stopped being blocked (woke, ran, exited) if it did before the end of the input; null while
    /// still blocked at the end.</summary>
    public long? BlockedUntilNs { get; init; }
    /// <summary>The other deadlock, stall or hung-task findings this task (the same life) is in: a pooled worker that
    /// stalled behind one root and later behind another, each time in another blocked interval.</summary>
    public ImmutableArray<string> AlsoIn { get; init; } = [];
}
