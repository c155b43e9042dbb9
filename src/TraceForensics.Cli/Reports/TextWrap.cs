using System.Text;

namespace TraceForensics.Cli.Reports;

/// <summary>Wraps text to a column limit at spaces; a word longer than a line is cut. The first line keeps the text's
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
        foreach (var original in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var word = original;
            while (word.Length > 0)
            {
                int need = (fresh ? 0 : 1) + word.Length;
                if (current.Length + need <= width)
                {
                    if (!fresh) current.Append(' ');
                    current.Append(word);
                    fresh = false;
                    break;
                }
                if (!fresh) { Break(); continue; }
                int room = Math.Max(1, width - current.Length);
                current.Append(word[..Math.Min(room, word.Length)]);
                word = word[Math.Min(room, word.Length)..];
                fresh = false;
                if (word.Length > 0) Break();
            }
        }
        if (!fresh) lines.Add(current.ToString().TrimEnd());
        return lines;
    }
}
