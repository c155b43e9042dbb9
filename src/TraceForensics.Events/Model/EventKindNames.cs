namespace TraceForensics.Events.Model;

/// <summary>Kebab-case names of <see cref="EventKind"/> values (<c>page-lock-wait</c>), for events-map files and output.</summary>
public static class EventKindNames
{
    private static readonly string[] Names = Enum.GetValues<EventKind>().Select(ToKebab).ToArray();
    private static readonly Dictionary<string, EventKind> ByName =
        Enum.GetValues<EventKind>().ToDictionary(ToKebab, k => k, StringComparer.OrdinalIgnoreCase);

    public static string Name(this EventKind kind) => Names[(int)kind];

    public static bool TryParse(string name, out EventKind kind) => ByName.TryGetValue(name.Trim(), out kind);

    public static IEnumerable<string> All => Names;

    private static string ToKebab(EventKind kind)
    {
        var s = kind.ToString();
        var b = new System.Text.StringBuilder(s.Length + 4);
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsUpper(s[i]) && i > 0) b.Append('-');
            b.Append(char.ToLowerInvariant(s[i]));
        }
        return b.ToString();
    }
}
