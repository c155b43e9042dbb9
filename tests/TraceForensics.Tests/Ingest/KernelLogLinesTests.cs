using System.Text;
using TraceForensics.Ingest.Formats;

namespace TraceForensics.Tests.Ingest;

/// <summary>The normalising line layer: what it joins, sets aside and strips, and what it leaves alone.</summary>
public class KernelLogLinesTests
{
    private static List<(string Text, bool Aside, long? Wall)> Lines(string text)
    {
        var lines = new KernelLogLines();
        var got = new List<(string, bool, long?)>();
        int n = 0;
        foreach (var raw in text.Split('\n'))
        {
            lines.Push(Encoding.UTF8.GetBytes(raw), new RecordPosition(++n, 0));
            while (lines.TryTake(out var l)) got.Add((Encoding.UTF8.GetString(l.Span), l.Aside, l.WallNs));
        }
        lines.End();
        while (lines.TryTake(out var l)) got.Add((Encoding.UTF8.GetString(l.Span), l.Aside, l.WallNs));
        return got;
    }

    [Fact]
    public void A_blocker_line_wrapped_by_a_mail_client_is_joined_again()
    {
        var got = Lines("> [  246.1] INFO: task a:1 is blocked on a mutex likely owned by task\n> syz-executor.2:3011.\n> [  246.2] next line");
        Assert.Equal(["[  246.1] INFO: task a:1 is blocked on a mutex likely owned by task syz-executor.2:3011.", "[  246.2] next line"],
            got.Select(g => g.Text));
    }

    [Fact]
    public void A_short_line_and_the_untimed_line_after_it_stay_two_lines()
    {
        // "[ 1.0] short" could have taken "untimed" within any mail client's width: the client did not break it there.
        var got = Lines("> [    1.0] short\n> untimed\n> [    1.1] next");
        Assert.Equal(["[    1.0] short", "untimed", "[    1.1] next"], got.Select(g => g.Text));
    }

    [Fact]
    public void Untimed_lines_at_the_end_of_a_quote_are_not_joined()
    {
        // a report repeated without times after the log (syzkaller's REPORT: section): no timed line follows
        var got = Lines("> [  246.100000] INFO: task kworker/u12:5:1980 blocked for more than 140 seconds.\n> REPORT:\n> INFO: task");
        Assert.Equal(3, got.Count);
    }

    [Fact]
    public void The_reply_between_quoted_lines_is_set_aside_and_the_quote_depth_may_change_form()
    {
        var got = Lines("On Tue, X wrote:\n> > [ 1.0] Call Trace:\n\nThis frame is the culprit.\n\n>> [ 1.1]  __schedule+0x1/0x2\n>>[ 1.2]  schedule+0x1/0x2");
        Assert.Equal([false, false, true, true, true, false, false], got.Select(g => g.Aside));
        Assert.Equal("[ 1.2]  schedule+0x1/0x2", got[^1].Text);
    }

    [Theory]
    [InlineData("Dec 02 12:00:00 host kernel:  __schedule+0x1/0x2", " __schedule+0x1/0x2")]
    [InlineData("Dec  2 12:00:00 host kernel: [  376.1] INFO: x", "[  376.1] INFO: x")]
    [InlineData("[  376.749647] host kernel: INFO: x", "[  376.749647] INFO: x")]
    [InlineData("2026-12-02T12:00:00+0000 host kernel: INFO: x", "INFO: x")]
    [InlineData("[Wed Dec  2 12:00:00 2026] INFO: x", "INFO: x")]
    [InlineData("2026-12-02T12:00:00,123456+00:00 INFO: x", "INFO: x")]
    [InlineData("kern  :warn  : [  376.1] INFO: x", "[  376.1] INFO: x")]
    [InlineData("\u001b[32m[  376.1]\u001b[0m INFO: \u001b[1mx\u001b[0m\r", "[  376.1] INFO: x")]
    [InlineData("[  376.1] Booting the kernel: x y", "[  376.1] Booting the kernel: x y")] // not "host kernel:"
    public void Each_arrival_prefix_comes_off_and_the_kernel_line_stays(string raw, string want)
    {
        Assert.Equal(want, Assert.Single(Lines(raw)).Text);
    }

    [Theory]
    [InlineData("[ 1432.245419][ T1054] INFO: x", "INFO: x", true)]
    [InlineData("[   T1054] INFO: x", "INFO: x", false)] // printk.time=0 with CONFIG_PRINTK_CALLER
    [InlineData("[    C1] INFO: x", "INFO: x", false)]
    [InlineData("[ Tx] INFO: x", "[ Tx] INFO: x", false)]
    public void A_caller_id_comes_off_with_or_without_a_time(string line, string want, bool timed)
    {
        var text = KernelLogPrefix.Strip(Encoding.ASCII.GetBytes(line), out _, out bool hasTime);
        Assert.Equal(want, Encoding.ASCII.GetString(text));
        Assert.Equal(timed, hasTime);
    }
}
