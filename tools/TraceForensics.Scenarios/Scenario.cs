namespace TraceForensics.Scenarios;

/// <summary>A known-answer scenario: its events (offsets from a start the background decides) and the findings
/// `tracefx analyze` must give for it.</summary>
public sealed record Scenario(string Name, string Description, IReadOnlyList<ScenarioEvent> Events, IReadOnlyList<string> ExpectedFindings);
