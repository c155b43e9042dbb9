namespace TraceForensics.Ingest.Formats;

/// <summary>What one line of a trace is, as a tokenizer sees it.</summary>
public enum RecordKind
{
    /// <summary>A trace event: task, cpu, time, event name and payload.</summary>
    Event,
    /// <summary>The start of a stack block (ftrace's <c>&lt;stack trace&gt;</c> entry, trace-cmd's <c>kernel_stack</c>).
    /// The frames that follow belong to the previous event of the same task on the same cpu.</summary>
    StackStart,
    /// <summary>One frame of a stack block or of a perf callchain (innermost first).</summary>
    StackFrame,
    /// <summary>The ring buffer dropped events here (<c>CPU:1 [LOST 1234 EVENTS]</c>).</summary>
    LostEvents,
    /// <summary>trace_pipe's <c>##### CPU 1 buffer started ####</c>.</summary>
    BufferStarted,
    /// <summary>The header's <c>entries-in-buffer/entries-written: A/B</c>; A &lt; B means events were overwritten.</summary>
    BufferEntries,
    /// <summary>A header or comment line that carries nothing to read.</summary>
    Header,
    /// <summary>An empty line (in perf script output, the end of a callchain).</summary>
    Blank,
    /// <summary>A report (of a kernel log) that the input cuts off; <see cref="RawRecord.Problem"/> says what is missing.</summary>
    Truncated,
    /// <summary>A well-formed line of a kind this reader does not know (a newer writer's fact), skipped on purpose;
    /// <see cref="RawRecord.Problem"/> says what. Forward compatible: not a warning.</summary>
    Skipped,
    /// <summary>A line the tokenizer cannot read; <see cref="RawRecord.Problem"/> says why.</summary>
    Unrecognized,
}
