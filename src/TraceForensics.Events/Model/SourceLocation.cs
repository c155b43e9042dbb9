namespace TraceForensics.Events.Model;

/// <summary>Where an event was read: input index (into the session's inputs), 1-based line, byte offset of the
/// line in the plain (decompressed) input.</summary>
public readonly record struct SourceLocation(int Input, long Line, long ByteOffset);
