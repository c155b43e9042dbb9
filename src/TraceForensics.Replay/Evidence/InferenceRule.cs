namespace TraceForensics.Replay.Evidence;

/// <summary>A rule that infers a wait-for fact the trace does not show directly: its id (as findings cite it, e.g.
/// <c>[inferred: fault-holds-faulted-page]</c>), what it means in one line, and the kernel source it rests on.</summary>
public sealed record InferenceRule(string Id, string Meaning, string Source)
{
    public override string ToString() => Id;
}

/// <summary>A rule as one edge applied it: the rule and, for the rules that read a stack, the frame that showed it
/// (cited as <c>rule:frame</c>, e.g. <c>blocked-stack:folio_wait_writeback</c>).</summary>
public sealed record RuleUse(InferenceRule Rule, string? Witness = null)
{
    public override string ToString() => Witness is null ? Rule.Id : $"{Rule.Id}:{Witness}";

    public static implicit operator RuleUse(InferenceRule rule) => new(rule);

    /// <summary>The use of a rule that may be absent (an observed fact has none).</summary>
    public static RuleUse? Of(InferenceRule? rule) => rule is null ? null : new RuleUse(rule);
}
