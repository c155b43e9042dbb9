using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using TraceForensics.Analysis.Graph;

namespace TraceForensics.Analysis.Findings;

/// <summary>The shape of a finding's wait-for chain with everything that differs between two machines (or two boots)
/// hitting the same root cause taken out, and its signature: the first 16 hex digits of the SHA-256 of that shape.
/// Kept: the finding's kind, each edge's relation and inference rule (with the frame that showed it), each node's kind,
/// lock class names, and for a task the function it is blocked in (syzkaller's title function, <c>blockedIn</c>).
/// Dropped: pids and comms (a kworker's number, a fuzzer's executor number), page, inode and device numbers, sectors,
/// addresses (<c>0x...</c>), <c>+0x../0x..</c> offsets, lockdep's <c>#N</c> suffix (the order in which classes of one
/// name were registered in that boot: kernel/locking/lockdep.c __print_lock_name prints <c>#%d</c> from the class's
/// name_version) and
/// timestamps. A closed chain (a deadlock, lockdep's cycle of classes) is started at its smallest step, so where the
/// report entered the cycle does not matter; an open chain is the sorted set of its distinct steps, so the number of
/// waiters and the order the report listed them in do not either. The rule is the README's "Chain signature".</summary>
public static partial class ChainSignature
{
    /// <summary>The signature's length in hex digits (64 bits of the SHA-256: collisions need ~4e9 distinct shapes).</summary>
    public const int HexDigits = 16;

    public static string Of(Finding f) => Hash(Shape(f));

    public static string Hash(string shape)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(shape), digest);
        return Convert.ToHexStringLower(digest[..(HexDigits / 2)]);
    }

    /// <summary>The canonical text the signature hashes: <c>KIND | STEP ; STEP ...</c>, a step being
    /// <c>FROM -RELATION[RULE]-> TO</c>; a finding without a chain is its tasks' <c>blockedIn</c> functions.</summary>
    public static string Shape(Finding f)
    {
        var blockedIn = new Dictionary<int, string?>();
        foreach (var t in f.Tasks) blockedIn.TryAdd(t.Pid, t.BlockedIn);
        string Node(WaitNode n) => n is TaskNode t ? TaskShape(blockedIn.GetValueOrDefault(t.Pid)) : NodeShape(n);
        var steps = f.Chain.Select(e => $"{Node(e.From)} -{RelationShape(e)}{(e.Rule is null ? "" : $"[{Abstract(e.Rule.ToString())}]")}-> {Node(e.To)}").ToList();
        // A closed chain keeps its order from its smallest step; an open one (several waiters on one lock, the
        // holder's own path) is the set of its steps: how many tasks waited, and in which order the report listed them,
        // is not the root cause.
        steps = f.Chain.Count > 1 && f.Chain[^1].To.Equals(f.Chain[0].From) ? SmallestRotation(steps)
            : steps.Distinct().Order(StringComparer.Ordinal).ToList();
        var body = steps.Count > 0 ? string.Join(" ; ", steps)
            : string.Join(" ; ", f.Tasks.Select(t => TaskShape(t.BlockedIn)).Distinct().Order(StringComparer.Ordinal));
        return $"{f.Kind.Name()} | {body}";
    }

    /// <summary>The relation's id; a relation that names its witness task (<c>held-then-wanted-by:comm:pid</c>) names
    /// only that it is a task.</summary>
    public static string RelationShape(WaitEdge e) =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture, RelationWords.Of(e.Relation).Id, null, "task");

    /// <summary>A task by the function it is blocked in (<c>?</c> when its stack names none).</summary>
    public static string TaskShape(string? blockedIn) => "task in " + (blockedIn is null ? "?" : Abstract(blockedIn));

    /// <summary>A node other than a task, by its kind, and its name where the name is the same on every machine (a
    /// lock class, the kind of lock whose owner was not found); the <c>TriageRow</c>'s node kind is the part before ':'.</summary>
    public static string NodeShape(WaitNode n) => n switch
    {
        TaskNode => "task",
        PageLockNode => "pagelock",
        WritebackNode => "writeback",
        BioNode => "bio",
        StalledBiosNode => "bios-in-flight",
        DeviceNode => "device",
        FuseConnectionNode => "fuse",
        KernelLockNode l => "lock " + Abstract(l.Name),
        OwnerNotFoundNode o => $"lock-owner-not-found:{o.KindName}",
        FrozenFsNode => "freeze",
        WaitClassNode w => NodeId.Format(w),
        ManagedLockNode m => "managed-lock:" + m.Type,
        ManagedWaitNode w => "managed-wait:" + Abstract(w.What),
        _ => n.GetType().Name,
    };

    /// <summary>Takes out what differs between machines in a name: addresses, <c>+0x../0x..</c> offsets, lockdep's
    /// <c>#N</c>. Function names, lock class names and lockdep's <c>/N</c> subclass (a nesting level the code chose) stay.</summary>
    public static string Abstract(string name)
    {
        var s = Offset().Replace(name, "");
        s = Address().Replace(s, "0x?");
        return NameVersion().Replace(s, "#N");
    }

    /// <summary>The rotation of <paramref name="steps"/> whose <c>" ; "</c>-joined text is the smallest (ordinal), found in
    /// linear time (the two-candidate least-rotation scan, Shiloach 1981 / Booth 1980, over steps instead of characters)
    /// rather than by joining every rotation, which was quadratic in the length of the cycle: a ring of 20 000 tasks did not
    /// end. Steps are compared with their separator (<c>step + " ; "</c>), so the order of two rotations is that of their
    /// joined texts whenever no step holds <c>" ; "</c> itself.</summary>
    public static List<string> SmallestRotation(List<string> steps)
    {
        int n = steps.Count;
        if (n < 2) return steps;
        var keys = steps.Select(s => s + " ; ").ToArray();
        int i = 0, j = 1, k = 0;
        while (i < n && j < n && k < n)
        {
            int c = string.CompareOrdinal(keys[(i + k) % n], keys[(j + k) % n]);
            if (c == 0)
            {
                k++;
                continue;
            }
            if (c > 0) i += k + 1;
            else j += k + 1;
            if (i == j) j++;
            k = 0;
        }
        int at = Math.Min(i, j);
        return steps.Skip(at).Concat(steps.Take(at)).ToList();
    }

    [GeneratedRegex(@"\+0x[0-9a-fA-F]+/0x[0-9a-fA-F]+")]
    private static partial Regex Offset();

    [GeneratedRegex(@"0x[0-9a-fA-F]+")]
    private static partial Regex Address();

    [GeneratedRegex(@"#[0-9]+")]
    private static partial Regex NameVersion();
}
