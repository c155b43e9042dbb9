using TraceForensics.Events.Model;

namespace TraceForensics.Replay.Tasks;

/// <summary>Each interned stack read once through the stack tables, by stack id: stacks repeat (every sleep of a task in
/// the same place has the same id), and the replay, the graph and the detectors ask about them on every stacked sleep.
/// One per replay state (a checkpoint's copy starts its own), so no two threads share it.</summary>
public sealed class StackReadings(StackTable stacks)
{
    private StackReading?[] _read = new StackReading?[64];

    /// <summary>The reading of a stack; stack id 0 (no stack) reads as waiting for nothing and holding nothing.</summary>
    public StackReading Get(int stackId)
    {
        if ((uint)stackId >= (uint)_read.Length) Array.Resize(ref _read, Math.Max(stackId + 1, _read.Length * 2));
        return _read[stackId] ??= Read(stacks.Get(stackId));
    }

    private static StackReading Read(System.Collections.Immutable.ImmutableArray<string> frames) =>
        new(StackReader.Classify(frames), StackReader.PageLockHeld(frames), StackReader.InMemcgReclaim(frames), StackReader.InPageFault(frames));
}

/// <summary>What one stack says (<see cref="StackReader"/>): its wait, the row that shows it sleeping with a page lock
/// held (or null), and its reclaim and fault context.</summary>
public sealed record StackReading(StackWait Wait, StackFunction? PageLockHeld, bool InMemcgReclaim, bool InPageFault)
{
    /// <summary>The row that shows it holding the page it faulted (a file fault past its handler), or null.</summary>
    public StackFunction? FaultedPageHeld => PageLockHeld is { Holds: HeldPage.FaultedPage } row ? row : null;
}
