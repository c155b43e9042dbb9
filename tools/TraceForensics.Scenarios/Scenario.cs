namespace TraceForensics.Scenarios;

/// <summary>A known-answer scenario: its events (offsets from a start the background decides) and the findings
/// `tracefx analyze` must give for it.</summary>
public sealed record Scenario(string Name, string Description, IReadOnlyList<ScenarioEvent> Events, IReadOnlyList<string> ExpectedFindings)
{
    /// <summary>The storage topology file to read with each form (NAME.topology.txt, as `tracefx record` writes one), or
    /// null: for a filesystem the trace names three ways (btrfs: its anonymous device, its bdi name, its fsid).</summary>
    public string? Topology { get; init; }
}
