namespace TraceForensics.Cli.Watch;

/// <summary>An open incident written again over its directory (its chain grew): the new files in a sibling replacement,
/// then swapped in at once (<see cref="DirectorySwap"/>), on a thread of its own for a bounded time
/// (<see cref="BoundedIo"/>: the directory's filesystem may be frozen).</summary>
internal static class IncidentRewrite
{
    public enum Outcome
    {
        Written,
        /// <summary>The directory is not there any more: moved away by log rotation (the SIGHUP after it makes -o
        /// again, empty) or removed. Nothing is written: a replacement would be left in the new -o, holding an incident
        /// that directory never had.</summary>
        Gone,
        /// <summary>Not done within the time: its filesystem frozen or hung.</summary>
        TimedOut,
    }

    /// <summary>The replacement's name: a hidden sibling of <paramref name="dir"/>, on the same filesystem.</summary>
    public static string ReplacementOf(string dir) => Path.Combine(Path.GetDirectoryName(dir)!, $".{Path.GetFileName(dir)}.rewrite");

    /// <summary>Writes <paramref name="dir"/> again with what <paramref name="write"/> puts into the replacement
    /// directory it is given. An I/O error is thrown.</summary>
    public static Outcome Run(string dir, Action<string, CancellationToken> write, TimeSpan timeout)
    {
        var replacement = ReplacementOf(dir);
        bool ended = BoundedIo.Run(cancel =>
        {
            if (!Directory.Exists(dir)) return Outcome.Gone;
            if (Directory.Exists(replacement)) Directory.Delete(replacement, recursive: true); // a rewrite given up on before
            Directory.CreateDirectory(replacement);
            write(replacement, cancel);
            DirectorySwap.Replace(dir, replacement);
            return Outcome.Written;
        }, timeout, out var outcome);
        return ended ? outcome : Outcome.TimedOut;
    }
}
