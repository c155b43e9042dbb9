using System.Globalization;
using System.Text;

namespace TraceForensics.Cli.Reports;

/// <summary>How many terminal columns text takes: East Asian wide and fullwidth characters (and emoji) take two,
/// combining marks none, the rest one. Cuts happen only between whole runes.</summary>
internal static class DisplayWidth
{
    public static int Of(Rune r)
    {
        var category = Rune.GetUnicodeCategory(r);
        if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format) return 0;
        int v = r.Value;
        bool wide = v is >= 0x1100 and <= 0x115F or >= 0x2E80 and <= 0x303E or >= 0x3041 and <= 0x33FF or >= 0x3400 and <= 0x4DBF
            or >= 0x4E00 and <= 0x9FFF or >= 0xA000 and <= 0xA4CF or >= 0xAC00 and <= 0xD7A3 or >= 0xF900 and <= 0xFAFF
            or >= 0xFE30 and <= 0xFE4F or >= 0xFF00 and <= 0xFF60 or >= 0xFFE0 and <= 0xFFE6 or >= 0x1F300 and <= 0x1F64F
            or >= 0x1F900 and <= 0x1F9FF or >= 0x20000 and <= 0x3FFFD;
        return wide ? 2 : 1;
    }

    public static int Of(string s)
    {
        int w = 0;
        foreach (var r in s.EnumerateRunes()) w += Of(r);
        return w;
    }

    /// <summary>The longest prefix of <paramref name="s"/> that fits <paramref name="columns"/>.</summary>
    public static string Prefix(string s, int columns)
    {
        int w = 0, end = 0;
        foreach (var r in s.EnumerateRunes())
        {
            int rw = Of(r);
            if (w + rw > columns) break;
            w += rw;
            end += r.Utf16SequenceLength;
        }
        return s[..end];
    }
}
