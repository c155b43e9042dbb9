using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Events.Model;
using TraceForensics.Ingest.Formats;

namespace TraceForensics.Cli.Triage;

/// <summary>One step of a chain as the triage table keeps it: the relation, the kind of the node it leads to, that
/// node's name with what differs between machines taken out (<see cref="ChainSignature.NodeShape"/>), the inference
/// rule (null when observed).</summary>
public sealed record TriageStep(string Relation, string NodeKind, string Node, string? Rule);

/// <summary>One row of <c>traceforensics/triage/v1</c> (docs/contracts/triage-v1.md): a finding of one input, or a
/// diagnostic row for an input that could not be read or analysed (kind <c>diagnostic</c>). Every text from the input
/// has passed <see cref="UntrustedText.ForTerminal"/>.</summary>
public sealed record TriageRow
{
    public const string DiagnosticKind = "diagnostic";

    public required string Input { get; init; }
    public string? Host { get; init; }
    public string? Boot { get; init; }
    public DateTime? Seen { get; init; }
    public double? Time { get; init; }
    public required string Kind { get; init; }
    public string? Finding { get; init; }
    public string? Summary { get; init; }
    public string? BlockedIn { get; init; }
    public IReadOnlyList<TriageStep> Chain { get; init; } = [];
    public string? RootKind { get; init; }
    public string? RootName { get; init; }
    public IReadOnlyList<string> Tasks { get; init; } = [];
    public IReadOnlyList<string> LockClasses { get; init; } = [];
    public string? Signature { get; init; }
    public string? Shape { get; init; }
    public string? Diagnostic { get; init; }

    private static string T(string s) => UntrustedText.ForTerminal(s);
    private static string? TN(string? s) => s is null ? null : UntrustedText.ForTerminal(s);

    public static TriageRow Of(Finding f, InputOrigin origin)
    {
        var shape = ChainSignature.Shape(f);
        // The function each task is blocked in, by pid, looked up once per step (not a scan of the tasks per step:
        // quadratic in a long ring).
        var blockedIn = new Dictionary<int, string?>();
        foreach (var t in f.Tasks) blockedIn.TryAdd(t.Pid, t.BlockedIn);
        return new TriageRow
        {
            Input = T(origin.Name),
            Host = TN(origin.Host),
            Boot = TN(origin.Boot),
            Seen = origin.Seen,
            Time = (double)TraceTime.ToSeconds(f.AtNs),
            Kind = f.Kind.Name(),
            Finding = f.Id,
            Summary = T(f.Summary),
            BlockedIn = TN(f.Tasks.Select(t => t.BlockedIn).FirstOrDefault(b => b is not null)),
            Chain = f.Chain.Select(e => new TriageStep(ChainSignature.RelationShape(e), KindOf(e.To), T(Node(e.To, blockedIn)), TN(e.Rule?.ToString()))).ToList(),
            RootKind = f.Root is null ? null : KindOf(f.Root),
            RootName = f.Root is null ? null : T(f.Root.Label),
            Tasks = f.Tasks.Select(t => T($"{t.Comm}:{t.Pid}")).ToList(),
            LockClasses = LockClassesOf(f).Select(T).ToList(),
            Signature = ChainSignature.Hash(shape),
            Shape = T(shape),
        };
    }

    public static TriageRow Failed(InputOrigin origin, string message) => new()
    {
        Input = T(origin.Name), Host = TN(origin.Host), Boot = TN(origin.Boot), Seen = origin.Seen,
        Kind = DiagnosticKind, Diagnostic = T(message),
    };

    private static string KindOf(WaitNode n)
    {
        var shape = ChainSignature.NodeShape(n);
        int end = shape.IndexOfAny([':', ' ']);
        return end < 0 ? shape : shape[..end];
    }

    private static string Node(WaitNode n, Dictionary<int, string?> blockedIn) => n is TaskNode t
        ? ChainSignature.TaskShape(blockedIn.GetValueOrDefault(t.Pid))
        : ChainSignature.NodeShape(n);

    /// <summary>The lockdep classes the finding names: the locks of its chain that a lock report named (not a function a
    /// stack showed waiting, rule blocked-stack; not an address), and the classes of the locks its tasks held
    /// ("(class) at site" in a held-locks list, kernel/locking/lockdep.c print_lock).</summary>
    private static IEnumerable<string> LockClassesOf(Finding f)
    {
        var fromStacks = f.Chain.Where(e => e.Rule?.Rule.Id == "blocked-stack").Select(e => e.To).ToHashSet();
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var e in f.Chain)
            foreach (var n in new[] { e.From, e.To })
                if (n is KernelLockNode l && !fromStacks.Contains(n) && !l.Name.StartsWith("0x", StringComparison.Ordinal)) names.Add(l.Name);
        foreach (var t in f.Tasks)
            foreach (var held in t.HeldLocks)
                if (held.IndexOf('(') is int open and >= 0 && held.IndexOf(')', open) is int close and > 0) names.Add(held[(open + 1)..close]);
        return names;
    }
}
