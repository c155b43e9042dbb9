using System.Text;

namespace TraceForensics.Events.Model;

/// <summary>Text from traces (task names, paths, payloads) is untrusted: before it reaches a terminal, control
/// characters (C0, DEL, C1, and the escape that starts terminal sequences) become visible <c>\xNN</c> escapes.</summary>
public static class UntrustedText
{
    public static string ForTerminal(string? s)
    {
        if (string.IsNullOrEmpty(s)) return s ?? string.Empty;
        int i = 0;
        while (i < s.Length && !IsControl(s[i])) i++;
        if (i == s.Length) return s;
        var b = new StringBuilder(s.Length + 8);
        b.Append(s, 0, i);
        for (; i < s.Length; i++)
        {
            char c = s[i];
            if (IsControl(c)) b.Append("\\x").Append(((int)c).ToString("x2"));
            else b.Append(c);
        }
        return b.ToString();
    }

    /// <summary>C0, DEL, C1, line/paragraph separators and the bidirectional controls that reorder what a reader sees.</summary>
    private static bool IsControl(char c) => c < 0x20 || (c >= 0x7F && c <= 0x9F) || c is '\u2028' or '\u2029' or '\u061C'
                                             or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
