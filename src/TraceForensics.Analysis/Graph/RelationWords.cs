namespace TraceForensics.Analysis.Graph;

/// <summary>The one table of what each relation is called: its id in the findings contract, the verb of an edge
/// drawn on one line (text, Markdown, TUI), the clause of LKML's "which ..." chain, how a chain sentence continues
/// with it, and, for a relation whose target task holds its source, what that task does to it in LKML's unsafe
/// scenario ("hold", "build"). Renderers ask here; none switches on relations itself. Ids and verbs of the
/// relations that name a witness task carry it as <c>{1}</c>.</summary>
public sealed record RelationWords(string Id, string Verb, string Clause, string? Continuation, string? HolderVerb = null)
{
    private static readonly Dictionary<Relation, RelationWords> Table = new()
    {
        [Relation.WaitsForWriteback] = Waits("waits-for-writeback"),
        [Relation.WaitsForPageLock] = Waits("waits-for-page-lock"),
        [Relation.WaitsForLock] = Waits("waits-for-lock"),
        [Relation.WaitsForMutex] = Waits("waits-for-mutex"),
        [Relation.WaitsForRwSemaphore] = Waits("waits-for-rwsemaphore"),
        [Relation.WaitsForSemaphore] = Waits("waits-for-semaphore"),
        [Relation.WaitsForCompletion] = Waits("waits-for-completion"),
        [Relation.WaitsForJournal] = Waits("waits-for-journal"),
        [Relation.WaitsForDirtyThrottle] = Waits("waits-for-dirtythrottle"),
        [Relation.WaitsForBlockTags] = Waits("waits-for-blocktags"),
        [Relation.WaitsForFrozenFs] = Waits("waits-for-frozen-fs"),
        [Relation.WaitsForBio] = Waits("waits-for-bio"),
        [Relation.WaitsForMutexOwner] = Waits("waits-for-mutex-owner"),
        [Relation.WaitsForRwsemOwner] = Waits("waits-for-rwsem-owner"),
        [Relation.WaitsForSemaphoreOwner] = Waits("waits-for-semaphore-owner"),
        [Relation.WaitsForLockOwner] = Waits("waits-for-lock-owner"),
        [Relation.WaitsForMonitor] = Waits("waits-for-monitor"),
        [Relation.WaitsFor] = Waits("waits-for"),
        [Relation.WaitsForAnswer] = new("waits-for-answer", "waits for the answer of", "which waits for the answer of", null),
        [Relation.InRequestTo] = new("in-request-to", "is in a request (not answered) to", "which is in a request, not answered, to", ", in a request (not answered) to {0}"),
        [Relation.InBio] = new("in-bio", "is in", "which is in", ", in {0}"),
        [Relation.InOneOf] = new("in-one-of", "is in", "which is in", ", in {0}"),
        [Relation.UnsubmittedBioOwnedBy] = new("unsubmitted-bio-owned-by", "(not submitted) was built by", "which is not submitted, built by", " (not submitted), built by {0}", "build"),
        [Relation.InFlightOn] = new("in-flight-on", "(submitted, not completed) is in flight on", "which is submitted, not completed, on", " (submitted, not completed) on {0}"),
        [Relation.PluggedBy] = new("plugged-by", "is held in the plug of", "which is held in the plug of", " (held in the plug of {0})"),
        [Relation.ServedBy] = new("served-by", "is served by", "which is served by", ", served by {0}"),
        [Relation.HeldBy] = new("held-by", "is held by", "which is held by", ", held by {0}", "hold"),
        [Relation.HeldThenWaitedBy] = new("held-then-waited-by:{1}", "was held by {1} while it waited for", "which was held by {1} while it waited for", null),
        [Relation.HeldThenWantedBy] = new("held-then-wanted-by:{1}", "is held by {1} while it tries to acquire", "which is held by {1} while it tries to acquire", null),
        [Relation.AlreadyDependsOn] = new("already-depends-on", "already depends on (lockdep's chain)", "which already depends on (lockdep's chain)", null),
        [Relation.DeptContextHoldsThenWaits] = new("dept-context-holds-then-waits", "is held by a context (DEPT) that waits for", "which is held by a context (DEPT) that waits for", null),
    };

    private static RelationWords Waits(string id) => new(id, "waits for", "which waits for", null);

    public static RelationWords Of(Relation r) => Table[r];

    /// <summary>Every relation has words (checked by a test).</summary>
    public static bool Covers(Relation r) => Table.ContainsKey(r);

    /// <summary>The id of an edge's relation, with its witness where the relation names one
    /// (<c>held-then-waited-by:dd:4005</c>).</summary>
    public static string IdOf(WaitEdge e) => string.Format(System.Globalization.CultureInfo.InvariantCulture, Of(e.Relation).Id, null, e.Witness?.Label);

    /// <summary>The verb of an edge on one line: "is in", "was held by dd:4005 while it waited for".</summary>
    public static string VerbOf(WaitEdge e) => string.Format(System.Globalization.CultureInfo.InvariantCulture, Of(e.Relation).Verb, null, e.Witness?.Label);

    /// <summary>LKML's clause: "which is in", "which waits for".</summary>
    public static string ClauseOf(WaitEdge e) => string.Format(System.Globalization.CultureInfo.InvariantCulture, Of(e.Relation).Clause, null, e.Witness?.Label);

    /// <summary>One edge drawn on a line, for text and the TUI: <c>FROM VERB TO  [observed]</c>.</summary>
    public static string Line(WaitEdge e) => $"{e.From.Label} {VerbOf(e)} {e.To.Label}  [{e.Mark}]";
}
