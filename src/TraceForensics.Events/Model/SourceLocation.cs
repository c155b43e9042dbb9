namespace TraceForensics.Events.Model;

/// <summary>Where an event was read: input index (into the session's inputs), the 1-based ordinal of its record (the
/// line of a text input; the record number of a binary one, whose <see cref="ByteOffset"/> is what locates it) and
/// the byte offset of the record in the plain (decompressed) input.</summary>
public readonly record struct SourceLocation(int Input, long Line, long ByteOffset);
