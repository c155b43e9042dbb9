using System.Text;
using FsCheck.Xunit;
using TraceForensics.Ingest.Formats;

namespace TraceForensics.Tests.Ingest;

/// <summary>The ftrace tokenizer parses the timestamp as it finds the token's end (<see cref="AsciiSpan.TryTimestampToken"/>):
/// it must accept exactly the tokens the rule "up to the first space or tab, ending in ':', the rest a timestamp
/// (<see cref="AsciiSpan.TryParseTimestamp"/>)" accepts, with the same nanoseconds.</summary>
public class TimestampTokenTests
{
    [Theory]
    [InlineData("360.582356: sched_switch: x", 360_582_356_000L, 11)]
    [InlineData("   7.000000001:", 7_000_000_001L, -1)] // no: a leading space is not a timestamp
    [InlineData("408.429793:\tsched_switch:", 408_429_793_000L, 11)]
    [InlineData("5:", 5L, 2)]
    [InlineData("9223372035.5: x", 9_223_372_035_500_000_000L, 13)]
    [InlineData("9223372036.5: x", 0L, -1)] // seconds past what nanoseconds in a long hold
    [InlineData("12345678901.5: x", 0L, -1)] // 11 digits of seconds
    [InlineData("1.1234567891: x", 0L, -1)] // 10 digits of fraction
    [InlineData("1.: x", 0L, -1)]
    [InlineData(".5: x", 0L, -1)]
    [InlineData("1.5:x", 0L, -1)]
    [InlineData("1.5", 0L, -1)]
    [InlineData("d..2.", 0L, -1)]
    public void Timestamp_tokens(string text, long ns, int end)
    {
        bool ok = AsciiSpan.TryTimestampToken(Encoding.ASCII.GetBytes(text), out long got, out int gotEnd);
        Assert.Equal(end >= 0, ok);
        if (ok) Assert.Equal((ns, end), (got, gotEnd));
    }

    [Property(MaxTest = 20_000)]
    public void Same_tokens_as_the_rule(int seed)
    {
        var rnd = new Random(seed);
        var bytes = new byte[rnd.Next(0, 28)];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = Alphabet[rnd.Next(Alphabet.Length)];
        bool ok = AsciiSpan.TryTimestampToken(bytes, out long ns, out int end);
        int sp = AsciiSpan.IndexOfSpace(bytes);
        var tok = sp < 0 ? bytes : bytes[..sp];
        long expected = 0;
        bool rule = tok.Length >= 2 && tok[^1] == (byte)':' && AsciiSpan.TryParseTimestamp(tok[..^1], out expected);
        Assert.True(ok == rule && (!ok || (ns == expected && end == tok.Length)), Encoding.ASCII.GetString(bytes));
    }

    // Mostly digits, so that long runs of them (past 9, 10 and 18) are drawn as well as dots, colons and spaces.
    private static readonly byte[] Alphabet = "0123456789012345678901234567890123456789..::: \tx"u8.ToArray();
}
