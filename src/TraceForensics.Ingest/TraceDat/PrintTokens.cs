using System.Globalization;
using System.Text;

namespace TraceForensics.Ingest.TraceDat;

internal enum PrintTokenKind { Number, Identifier, String, Punct, End }

internal readonly record struct PrintToken(PrintTokenKind Kind, string Text, ulong Number = 0);

/// <summary>Splits an event's <c>print fmt:</c> (a C format string and C argument expressions, as the kernel's
/// TP_printk writes them; read by libtraceevent's event-parse.c <c>event_read_print</c>) into tokens.</summary>
internal static class PrintTokens
{
    private static readonly string[] Puncts = ["->", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
        "(", ")", "{", "}", "[", "]", ",", "?", ":", "+", "-", "*", "/", "%", "&", "|", "^", "~", "!", "<", ">", "."];

    public static List<PrintToken> Tokenize(string s)
    {
        var tokens = new List<PrintToken>();
        int i = 0;
        while (i < s.Length)
        {
            char c = s[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '"')
            {
                var sb = new StringBuilder();
                i++;
                while (i < s.Length && s[i] != '"')
                {
                    if (s[i] == '\\' && i + 1 < s.Length)
                    {
                        i++;
                        sb.Append(s[i] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '0' => '\0', var o => o });
                    }
                    else sb.Append(s[i]);
                    i++;
                }
                i++; // closing quote
                // Adjacent literals are one string (C): "a" "b".
                if (tokens.Count > 0 && tokens[^1].Kind == PrintTokenKind.String)
                    tokens[^1] = tokens[^1] with { Text = tokens[^1].Text + sb };
                else tokens.Add(new(PrintTokenKind.String, sb.ToString()));
                continue;
            }
            if (c == '\'' && i + 2 < s.Length && s[i + 2] == '\'')
            {
                tokens.Add(new(PrintTokenKind.Number, s.Substring(i, 3), s[i + 1]));
                i += 3;
                continue;
            }
            if (char.IsDigit(c))
            {
                int start = i;
                while (i < s.Length && (char.IsLetterOrDigit(s[i]))) i++;
                var text = s[start..i];
                var digits = text.TrimEnd('u', 'U', 'l', 'L');
                ulong n = 0;
                bool ok = digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                    ? ulong.TryParse(digits.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out n)
                    : digits.Length > 1 && digits[0] == '0'
                        ? TryOctal(digits, out n)
                        : ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out n);
                tokens.Add(ok ? new(PrintTokenKind.Number, text, n) : new(PrintTokenKind.Identifier, text));
                continue;
            }
            if (char.IsLetter(c) || c == '_')
            {
                int start = i;
                while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '_')) i++;
                tokens.Add(new(PrintTokenKind.Identifier, s[start..i]));
                continue;
            }
            string? p = null;
            foreach (var candidate in Puncts)
                if (string.CompareOrdinal(s, i, candidate, 0, candidate.Length) == 0) { p = candidate; break; }
            tokens.Add(new(PrintTokenKind.Punct, p ?? c.ToString()));
            i += p?.Length ?? 1;
        }
        tokens.Add(new(PrintTokenKind.End, ""));
        return tokens;
    }

    private static bool TryOctal(string digits, out ulong n)
    {
        n = 0;
        foreach (char d in digits)
        {
            if (d is < '0' or > '7') return false;
            n = n * 8 + (ulong)(d - '0');
        }
        return true;
    }
}
