using TraceForensics.Events.Model;

namespace TraceForensics.Tui;

/// <summary>Where <c>tracefx tui --live</c> gets its events as they happen: the watch engine's replay in the command
/// line (Cli/Watch/WatchFeed.cs), or a test handing out a sample trace's events step by step. The events come in
/// time order, each once (the watch releases an event only when no CPU can still hand over an earlier one); their
/// stack ids are in <see cref="Stacks"/>, whatever their input number, they show as read
/// from <see cref="Name"/> (the watch's decoding numbers each CPU's page stream as an input).</summary>
public interface ILiveSource
{
    /// <summary>What the events are read from, for the event log's lines ("ring buffer").</summary>
    string Name { get; }

    /// <summary>The table the events' stack ids refer to (built by the source's thread, read by the UI's).</summary>
    StackTable Stacks { get; }

    /// <summary>Waits at most <paramref name="wait"/> for something new; adds the events ready now to
    /// <paramref name="events"/> and the lines the source has to say (an incident written) to
    /// <paramref name="messages"/>. False once the source has ended: nothing more will come.</summary>
    bool Next(List<TraceEvent> events, List<string> messages, TimeSpan wait);
}
