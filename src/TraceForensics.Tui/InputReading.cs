using TraceForensics.Events.Reading;
using TraceForensics.Ingest.Formats;
using TraceForensics.Ingest.Input;

namespace TraceForensics.Tui;

/// <summary>How the event log reads an input again, decided once per input when the load ends (the files are looked at
/// on disk then, not at every status update or block): at byte offsets (a plain text file), at offsets of its
/// <see cref="SpillFile"/> (a compressed input), from its start (a trace.dat, a compressed input over the spill bound),
/// or not at all (stdin, a pipe, a rejected input).</summary>
internal enum InputReading
{
    NotAgain,
    Offsets,
    Spill,
    FromStartTraceDat,
    FromStartOverSpillBound,
}

internal static class InputReadings
{
    /// <summary>True when the input's file can be opened again (not stdin, not rejected, not a pipe: a FIFO or a
    /// process substitution, /dev/fd/N, is read once; a pipe's size is 0 (fs/pipe.c: pipe inodes have no i_size), a
    /// regular file with events is not empty).</summary>
    public static bool CanReopen(InputSummary input) =>
        input.Rejection is null && input.Path != "-" && File.Exists(input.Path) && new FileInfo(input.Path).Length > 0;

    /// <summary>How <paramref name="input"/> is read again; a compressed one that may be spilled is
    /// <see cref="InputReading.Spill"/> (<see cref="SpillFile.Of"/> then says whether it fits).</summary>
    public static InputReading Of(InputSummary input) =>
        !CanReopen(input) ? InputReading.NotAgain
        : input.Format == TraceFormat.TraceDat ? InputReading.FromStartTraceDat
        : input.Compression == Compression.None ? InputReading.Offsets
        : InputReading.Spill;

    /// <summary>True when a reading of this input can start at a block's byte offset.</summary>
    public static bool AtOffsets(this InputReading how) => how is InputReading.Offsets or InputReading.Spill;

    /// <summary>The words of the status line (and the README).</summary>
    public static string Words(this InputReading how, SpillFile? spill) => how switch
    {
        InputReading.Offsets => "offsets",
        InputReading.Spill => $"spill file in TMPDIR, {spill!.Length / (1 << 20):N0} MB, removed on exit",
        InputReading.FromStartTraceDat => "re-read from the start (trace.dat)",
        InputReading.FromStartOverSpillBound => "re-read from the start (over the spill bound)",
        _ => "",
    };
}
