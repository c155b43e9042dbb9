using System.Text;
using FsCheck.Xunit;
using TraceForensics.Ingest.Formats;
using Xunit;

namespace TraceForensics.Tests.Ingest;

/// <summary>The topology file's escaping, one copy shared by the writer (record) and the reader.</summary>
public class TopologyEscapingTests
{
    [Property(MaxTest = 2000)]
    public bool Any_bytes_come_back_from_their_escaped_text(byte[] raw)
    {
        raw ??= [];
        return TopologyEscaping.UnescapeBytes(Encoding.UTF8.GetBytes(TopologyEscaping.Escape(raw))).AsSpan().SequenceEqual(raw);
    }

    [Property(MaxTest = 2000)]
    public bool Escaped_text_has_no_space_control_character_or_invalid_utf8(byte[] raw)
    {
        var text = TopologyEscaping.Escape(raw ?? []);
        return !text.Any(c => c <= ' ' || c == '\uFFFD' || char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format);
    }

    [Fact]
    public void Mountinfo_escapes_read_back_and_a_lone_backslash_is_kept()
    {
        Assert.Equal("/mnt/a b\tc\\d", TopologyEscaping.Unescape("/mnt/a\\040b\\011c\\134d"u8));
        Assert.Equal("C:\\x", TopologyEscaping.Unescape("C:\\x"u8));
        Assert.Equal("/mnt/a\\040b\\134\\033[31m", TopologyEscaping.Escape("/mnt/a b\\\u001b[31m"u8));
        // a literal U+FFFD (EF BF BD) is escaped: found by the property above, which FsCheck shrank to these bytes
        Assert.Equal("/x\\357\\277\\275", TopologyEscaping.Escape([.. "/x"u8, 0xEF, 0xBF, 0xBD]));
    }
}
