using System.Buffers;
using System.Text;

namespace TraceForensics.Ingest.Formats;

/// <summary>The topology file's escaping of paths and names, written by <c>record</c> and read by the topology
/// tokenizer: mountinfo's <c>\ooo</c> octal (fs/proc_namespace.c, <c>show_mountinfo()</c> -&gt; <c>seq_path_root()</c>
/// with the escape set <c>" \t\n\\"</c>), extended so that no byte can break a line or a field and none is lost to a
/// text encoding.</summary>
public static class TopologyEscaping
{
    /// <summary>Bytes as topology-file text: space, backslash, DEL, every control character (C0 and C1), every format
    /// character (bidi overrides such as U+202E), U+FFFD itself (so that a reader's replacement of invalid bytes and a
    /// name that holds the character cannot be told apart only by the escaped form) and every byte that is not part of valid UTF-8 as <c>\ooo</c>, byte by
    /// byte; other valid UTF-8 as it is.</summary>
    public static string Escape(ReadOnlySpan<byte> raw)
    {
        var escaped = new List<byte>(raw.Length);
        for (int i = 0; i < raw.Length; i++)
        {
            byte c = raw[i];
            if (c >= 0x80 && Rune.DecodeFromUtf8(raw[i..], out var rune, out int length) == OperationStatus.Done
                && !Rune.IsControl(rune) && Rune.GetUnicodeCategory(rune) != System.Globalization.UnicodeCategory.Format
                && rune != Rune.ReplacementChar)
            {
                escaped.AddRange(raw.Slice(i, length));
                i += length - 1;
            }
            else if (c <= (byte)' ' || c == (byte)'\\' || c >= 0x7f)
            {
                escaped.Add((byte)'\\');
                escaped.Add((byte)('0' + ((c >> 6) & 7)));
                escaped.Add((byte)('0' + ((c >> 3) & 7)));
                escaped.Add((byte)('0' + (c & 7)));
            }
            else escaped.Add(c);
        }
        return Encoding.UTF8.GetString([.. escaped]);
    }

    /// <summary>Undoes the <c>\ooo</c> escaping (three octal digits, the first 0-3; a backslash not followed by them
    /// is kept as is), giving the raw bytes.</summary>
    public static byte[] UnescapeBytes(ReadOnlySpan<byte> s)
    {
        if (s.IndexOf((byte)'\\') < 0) return s.ToArray();
        var bytes = new byte[s.Length];
        int n = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == (byte)'\\' && IsOctal(s, i + 1))
            {
                bytes[n++] = (byte)(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
                i += 3;
            }
            else bytes[n++] = s[i];
        }
        return bytes[..n];
    }

    /// <summary>The unescaped bytes as UTF-8 text; invalid sequences become U+FFFD.</summary>
    public static string Unescape(ReadOnlySpan<byte> s) =>
        s.IndexOf((byte)'\\') < 0 ? Encoding.UTF8.GetString(s) : Encoding.UTF8.GetString(UnescapeBytes(s));

    private static bool IsOctal(ReadOnlySpan<byte> s, int at) =>
        at + 2 < s.Length && s[at] is >= (byte)'0' and <= (byte)'3' && s[at + 1] is >= (byte)'0' and <= (byte)'7' && s[at + 2] is >= (byte)'0' and <= (byte)'7';
}
