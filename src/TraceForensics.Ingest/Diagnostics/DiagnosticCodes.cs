namespace TraceForensics.Ingest.Diagnostics;

/// <summary>The stable codes of every diagnostic the readers emit. Info codes explain expected markers;
/// the others say what was skipped.</summary>
public static class DiagnosticCodes
{
    public const string UnrecognizedLine = "unrecognized-line";
    public const string BinaryLine = "binary-line";
    public const string OverlongLine = "overlong-line";
    public const string BadTimestamp = "bad-timestamp";
    public const string TimeWentBack = "time-went-back";
    public const string LostEvents = "lost-events";
    public const string BufferOverwritten = "buffer-overwritten";
    public const string OrphanStackFrame = "orphan-stack-frame";
    public const string TruncatedInput = "truncated-input";
    public const string TruncatedReport = "truncated-report";
    /// <summary>A hung-task report whose stack names no function to be blocked in: syzkaller titles it "corrupted".</summary>
    public const string CorruptedHungReport = "corrupted-hung-report";
    public const string UnreadableInput = "unreadable-input";
    public const string UnsupportedFormat = "unsupported-format";
    public const string BadEventsMap = "bad-events-map";
    public const string PayloadMismatch = "payload-mismatch";
    /// <summary>A stack longer than the frames kept per stack: its outer frames are cut (and findings that would
    /// read them may differ).</summary>
    public const string StackCut = "stack-cut";
    /// <summary>A bound of <see cref="Input.InputLimits"/> was reached (the message names the limit).</summary>
    public const string LimitReached = "limit-reached";
    /// <summary>Info: a line of a kind this version does not read (a newer topology writer's fact), skipped.</summary>
    public const string UnknownLineKind = "unknown-line-kind";
    /// <summary>Info: a kernel log gives only wall-clock times (journalctl, syslog, <c>dmesg -T</c>); they are kept as such.</summary>
    public const string WallClock = "wall-clock";
}
