using TraceForensics.Analysis.Findings;

namespace TraceForensics.Cli.Findings;

/// <summary>Where a task is blocked, in words: the function of syzkaller's title, "?" when unknown, and why when syzkaller
/// would title the report "corrupted" (so no output gives a confident function that the stack does not show).</summary>
internal static class BlockedInText
{
    public static string Of(FindingTask t) =>
        t.BlockedIn ?? (t.BlockedInCorrupted is { } why ? $"? (corrupted: {why})" : "?");
}
