namespace TraceForensics.Replay.Tasks;

/// <summary>A frame of a stack as the tables read it: the function name without the "? " of an unreliable kernel-log
/// frame and without compiler suffixes (<c>.isra.0</c>, <c>.constprop.0</c>, <c>.part.0</c>, <c>.cold</c>), as a slice
/// of the frame, so reading a stack allocates nothing.</summary>
public static class StackFrame
{
    /// <summary>A kernel-log frame printed with "? ": an address found on the stack that may not be a real caller. Kept
    /// for people to read, never used to decide what a task waits for, holds, or where it is blocked.</summary>
    public static bool IsUnreliable(string frame) => frame.StartsWith("? ", StringComparison.Ordinal);

    /// <summary>The function name of a frame, as a slice of it.</summary>
    public static ReadOnlySpan<char> Function(string frame)
    {
        var f = IsUnreliable(frame) ? frame.AsSpan(2) : frame.AsSpan();
        int dot = f.IndexOf('.');
        return dot > 0 ? f[..dot] : f;
    }

    /// <summary>The index of the first reliable frame at or after <paramref name="from"/>, or the length when none.</summary>
    public static int NextReliable(System.Collections.Immutable.ImmutableArray<string> frames, int from)
    {
        while (from < frames.Length && IsUnreliable(frames[from])) from++;
        return from;
    }
}
