namespace TraceForensics.Replay.Evidence;

/// <summary>A trace line behind a fact: input index, 1-based line, and the event's time.</summary>
public readonly record struct EvidenceLine(int Input, long Line, long TimestampNs)
{
    public static EvidenceLine Of(in Events.Model.TraceEvent e) => new(e.Source.Input, e.Source.Line, e.TimestampNs);
}
