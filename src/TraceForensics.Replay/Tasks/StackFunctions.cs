namespace TraceForensics.Replay.Tasks;

/// <summary>The rows of the stack tables by function, looked up by a frame's function name as a span (no allocation per
/// frame). A function may have several rows (__filemap_get_folio takes a page lock, and holds it while it waits for the
/// page's writeback).</summary>
public static class StackFunctions
{
    public static IReadOnlyList<StackFunction> All { get; } = [.. PageLockStacks.Rows, .. KernelWaitStacks.Rows];

    private static readonly Dictionary<string, StackFunction[]> ByName = Index();

    private static readonly Dictionary<string, StackFunction[]>.AlternateLookup<ReadOnlySpan<char>> BySpan =
        ByName.GetAlternateLookup<ReadOnlySpan<char>>();

    private static Dictionary<string, StackFunction[]> Index()
    {
        var byName = new Dictionary<string, StackFunction[]>(StringComparer.Ordinal);
        foreach (var row in All)
            byName[row.Function] = byName.TryGetValue(row.Function, out var rows) ? [.. rows, row] : [row];
        return byName;
    }

    /// <summary>The rows of a function (a frame's name without offset or compiler suffix); empty when it has none.</summary>
    public static ReadOnlySpan<StackFunction> Of(ReadOnlySpan<char> function) =>
        BySpan.TryGetValue(function, out var rows) ? rows : ReadOnlySpan<StackFunction>.Empty;

    /// <summary>The row of <paramref name="function"/> with <paramref name="role"/>, or null.</summary>
    public static StackFunction? Of(ReadOnlySpan<char> function, StackRole role)
    {
        foreach (var row in Of(function))
            if (row.Role == role) return row;
        return null;
    }

    /// <summary>Whether the function has a row of <paramref name="role"/>.</summary>
    public static bool Has(ReadOnlySpan<char> function, StackRole role) => Of(function, role) is not null;
}
