using System.Text;

namespace TraceForensics.Events.Model;

/// <summary>The one sanitizer for text from traces (task names, stack frames, paths, lock names, payloads): before
/// it reaches a terminal, a file or the TUI, control characters (C0, DEL, C1), line and paragraph separators and the
/// bidirectional controls that reorder what a reader sees become visible <c>\xNN</c> / <c>\uNNNN</c> escapes, and a
/// backslash becomes <c>\\</c>, so the escaping is unambiguous: the text <c>\x1b[31m</c> prints as
/// <c>\\x1b[31m</c>, never like an escaped ESC. Apply it once to each piece of trace text (it is not idempotent:
/// that is what makes it unambiguous); <see cref="GuardOutput"/> is the net under every writer.</summary>
public static class UntrustedText
{
    public static string ForTerminal(string? s)
    {
        if (string.IsNullOrEmpty(s)) return s ?? string.Empty;
        int i = 0;
        while (i < s.Length && !IsControl(s[i]) && s[i] != '\\') i++;
        if (i == s.Length) return s;
        var b = new StringBuilder(s.Length + 8);
        b.Append(s, 0, i);
        for (; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '\\') b.Append("\\\\");
            else if (IsControl(c)) AppendEscape(b, c);
            else b.Append(c);
        }
        return b.ToString();
    }

    /// <summary>The last check on a whole rendered output (report, findings, statistics, an export): a control
    /// character that a writer let through (one that forgot <see cref="ForTerminal"/>) is escaped here too, so none
    /// ever reaches the bytes written. Line feeds, the writers' own line ends, stay; backslashes are the writers'
    /// own syntax here (DOT, Markdown) and stay. Returns the same instance when nothing needs escaping.</summary>
    public static string GuardOutput(string s)
    {
        int i = 0;
        while (i < s.Length && (s[i] == '\n' || !IsControl(s[i]))) i++;
        if (i == s.Length) return s;
        var b = new StringBuilder(s.Length + 8);
        b.Append(s, 0, i);
        for (; i < s.Length; i++)
        {
            char c = s[i];
            if (c != '\n' && IsControl(c)) AppendEscape(b, c);
            else b.Append(c);
        }
        return b.ToString();
    }

    /// <summary>True when the text holds no character that <see cref="GuardOutput"/> would escape.</summary>
    public static bool IsSafeOutput(string s)
    {
        foreach (char c in s)
            if (c != '\n' && IsControl(c)) return false;
        return true;
    }

    private static void AppendEscape(StringBuilder b, char c)
    {
        if (c <= 0xFF) b.Append("\\x").Append(((int)c).ToString("x2"));
        else b.Append("\\u").Append(((int)c).ToString("x4"));
    }

    /// <summary>C0, DEL, C1, line/paragraph separators and the bidirectional controls that reorder what a reader sees
    /// (U+061C, U+200E-200F, U+202A-202E, U+2066-2069).</summary>
    public static bool IsControl(char c) => c < 0x20 || (c >= 0x7F && c <= 0x9F) || c is '\u2028' or '\u2029' or '\u061C'
                                            or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
