using System.Text;

namespace TraceForensics.Cli.Reports;

/// <summary>Wraps text to a column limit (display columns: wide characters count two) at spaces; a word longer than a
/// line is cut between runes. The first line keeps the text's
/// leading spaces; continuation lines start with <paramref name="indent"/>; runs of spaces inside collapse.</summary>
internal static class TextWrap
{
    public static List<string> Wrap(string text, int width, string indent = "  ")
    {
        var lines = new List<string>();
        int lead = 0;
        while (lead < text.Length && text[lead] == ' ') lead++;
        var current = new StringBuilder(text[..Math.Min(lead, width / 2)]); // the first line keeps its indentation
        bool fresh = true; // no word on the current line yet
        void Break()
        {
            lines.Add(current.ToString().TrimEnd());
            current.Clear().Append(indent);
            fresh = true;
        }
        int used = DisplayWidth.Of(current.ToString()); // columns on the current line
        foreach (var original in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var word = original;
            while (word.Length > 0)
            {
                int need = (fresh ? 0 : 1) + DisplayWidth.Of(word);
                if (used + need <= width)
                {
                    if (!fresh) current.Append(' ');
                    current.Append(word);
                    used += need;
                    fresh = false;
                    break;
                }
                if (!fresh) { Break(); used = DisplayWidth.Of(indent); continue; }
                // A word wider than a whole line: cut it between runes.
                var head = DisplayWidth.Prefix(word, Math.Max(1, width - used));
                if (head.Length == 0) head = word[..(char.IsHighSurrogate(word[0]) && word.Length > 1 ? 2 : 1)];
                current.Append(head);
                word = word[head.Length..];
                fresh = false;
                if (word.Length > 0) { Break(); used = DisplayWidth.Of(indent); }
                else used += DisplayWidth.Of(head);
            }
        }
        if (!fresh) lines.Add(current.ToString().TrimEnd());
        return lines;
    }
}
