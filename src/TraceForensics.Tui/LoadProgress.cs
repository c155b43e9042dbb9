using TraceForensics.Analysis.Findings;

namespace TraceForensics.Tui;

/// <summary>What the load has found so far, shown while it goes on: the events read, the findings up to then
/// (provisional: a cycle found may not persist to the end), the tasks at the point reached (their lines, made on the
/// load's thread) and that point's time. <paramref name="Stage"/>, when set, says what the load does after reading the
/// trace (decompressing an input into the event log's spill file), for the status line.</summary>
public sealed record LoadProgress(long Events, IReadOnlyList<Finding> Findings, IReadOnlyList<(int Pid, string Line)> Tasks, long NowNs,
                                  string? Stage = null);
