namespace TraceForensics.Ingest.Input;

/// <summary>The bounds that keep hostile or huge inputs from taking unbounded memory or file descriptors, in one
/// place and checked when made: a value out of its range is refused with the limit's name. Each limit hit while
/// reading is a diagnostic that names it (<see cref="Describe"/>).</summary>
public sealed record InputLimits
{
    /// <summary>The defaults every command uses.</summary>
    public static InputLimits Default { get; } = new();

    /// <summary>A line longer than this is skipped (its first bytes shown in the diagnostic).</summary>
    public int MaxLineBytes { get; init => field = Check(value, 16, 1 << 30, nameof(MaxLineBytes)); } = 1 << 20;

    /// <summary>Frames kept of one stack: the innermost ones; the outer ones are cut with a diagnostic.</summary>
    public int MaxStackFrames { get; init => field = Check(value, 1, 1 << 20, nameof(MaxStackFrames)); } = 512;

    /// <summary>Bytes read of an <c>--events-map</c> file.</summary>
    public int MaxEventsMapBytes { get; init => field = Check(value, 1, 1 << 30, nameof(MaxEventsMapBytes)); } = 1 << 20;

    /// <summary>Inputs one run reads.</summary>
    public int MaxInputs { get; init => field = Check(value, 1, 1 << 24, nameof(MaxInputs)); } = 1 << 20;

    /// <summary>Input files held open at once: an input file past this bound is closed while it waits for its turn in
    /// the merge and opened again where it was (<see cref="OpenFileBound"/>); a pipe or FIFO cannot be and stays open.</summary>
    public int MaxOpenFiles { get; init => field = Check(value, 1, 1 << 20, nameof(MaxOpenFiles)); } = 256;

    /// <summary>The line buffers of all inputs together: each input's buffer starts at this divided by the number of
    /// inputs (at least <see cref="MinLineBufferBytes"/>, at most 1 MiB) and grows only for a line that does not fit.</summary>
    public long LineBufferBudgetBytes { get; init => field = Check(value, MinLineBufferBytes, 1L << 40, nameof(LineBufferBudgetBytes)); } = 32 << 20;

    /// <summary>Distinct strings (comms, event names, frames) the session's interner keeps; past it, a string first seen is
    /// still read but not shared (each copy costs memory of its own), said once per input at the line where it began.</summary>
    public int MaxInternedStrings { get; init => field = Check(value, 16, 1 << 28, nameof(MaxInternedStrings)); } = 1 << 20;

    /// <summary>Pages one writeback event puts under writeback: a longer extent is cut to its first pages, with a diagnostic.
    /// A folio is at most 512 pages of 4 KiB (include/linux/pagemap.h: MAX_PAGECACHE_ORDER is min(MAX_XAS_ORDER,
    /// PREFERRED_MAX_PAGECACHE_ORDER), the latter HPAGE_PMD_ORDER, 9 with 4 KiB pages), but an ext4 extent event names a
    /// whole extent (ext4_da_write_pages_extent: len 2048 in real traces), at most EXT_INIT_MAX_LEN blocks
    /// (fs/ext4/ext4_extents.h: 1 &lt;&lt; 15, 128 MiB of 4 KiB blocks): the default covers that. The page tracker keeps an
    /// entry per page, so a hostile extent costs up to this many entries.</summary>
    public int MaxPagesPerEvent { get; init => field = Check(value, 1, 1 << 20, nameof(MaxPagesPerEvent)); } = 1 << 15;

    /// <summary>Work structs the replay remembers as queued on a workqueue (a work struct is reused, so few are live); past it
    /// the memory is emptied, with a diagnostic: a work item run after that has no known workqueue.</summary>
    public int MaxQueuedWork { get; init => field = Check(value, 1, 1 << 24, nameof(MaxQueuedWork)); } = 1 << 16;

    /// <summary>The smallest line buffer of an input.</summary>
    public const int MinLineBufferBytes = 4096;

    /// <summary>The starting line buffer of each of <paramref name="inputs"/> inputs.</summary>
    public int LineBufferBytes(int inputs) =>
        (int)Math.Clamp(LineBufferBudgetBytes / Math.Max(1, inputs), MinLineBufferBytes, Math.Min(1 << 20, MaxLineBytes + 1L));

    /// <summary>The words a diagnostic uses for a limit hit: its name and value.</summary>
    public static string Describe(string limit, long value) => $"limit {limit} = {value}";

    private static T Check<T>(T value, T min, T max, string name) where T : System.Numerics.INumber<T> =>
        value < min || value > max
            ? throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {min} and {max}")
            : value;
}
