namespace TraceForensics.Analysis.Findings;

/// <summary>Finding kinds, ordered by severity (the verdict is the worst one).</summary>
public enum FindingKind
{
    Note,
    HungTask,
    Stall,
    PotentialDeadlock,
    Deadlock,
}

public static class FindingKindNames
{
    public static string Name(this FindingKind k) => k switch
    {
        FindingKind.Deadlock => "deadlock",
        FindingKind.PotentialDeadlock => "potential-deadlock",
        FindingKind.Stall => "stall",
        FindingKind.HungTask => "hung-task",
        _ => "note",
    };
}
