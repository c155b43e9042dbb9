using TraceForensics.Ingest.Formats;
using TraceForensics.Ingest.Input;

namespace TraceForensics.Events.Reading;

/// <summary>How a session reads its inputs.</summary>
public sealed record TraceSessionOptions
{
    /// <summary>Unknown = detect from content (the default); otherwise every input is read as this format.</summary>
    public TraceFormat Format { get; init; } = TraceFormat.Unknown;

    /// <summary>A user file mapping custom event (probe) names to meanings.</summary>
    public string? EventsMapPath { get; init; }

    /// <summary>Hash each input file (SHA-256) while it is read, for the reports that print it (analyze, report);
    /// <see cref="InputSummary.Sha256"/> stays null without it.</summary>
    public bool HashInputs { get; init; }

    /// <summary>Threads that read: 1 reads on the caller's thread, one line after the other; more decode runs of lines
    /// of each text input on that many threads and read and merge the inputs on a thread of their own, with the same
    /// events, diagnostics and summaries. The default: the machine's processors.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>With <see cref="Parallelism"/> above 1, the bytes read one line after the other before the other threads
    /// start (an input, or the inputs together): a small input is read sooner without them.</summary>
    public long ParallelAfterBytes { get; init; } = 4 << 20;

    /// <summary>With <see cref="Parallelism"/> above 1: the inputs are read and merged on a thread of their own beside the
    /// caller (<see cref="EventPump"/>), for a caller that does about as much with each event as the reading does (the
    /// replay). False for one that does little with them (stats): the caller's thread reads and merges, and decodes runs
    /// of lines beside the decoding threads while it waits for one, so no event is handed over between threads (a copy of
    /// the large event and its cache lines moved between cores, per event; issue 15). Inputs none of whose lines are
    /// decoded in runs (trace.dat) are read on a thread of their own either way.</summary>
    public bool ReadAhead { get; init; } = true;

    /// <summary>When set, the session decodes into these tables' strings, stacks and dictionary (its stack ids are
    /// theirs; <see cref="EventsMapPath"/> is then not read again), with diagnostics of its own: a reading again of part
    /// of an input that was read before.</summary>
    public EventTables? SharedTables { get; init; }

    /// <summary>The bounds on line length, stack frames, the events map, inputs and open files (one validated type).</summary>
    public InputLimits Limits { get; init; } = InputLimits.Default;
}
