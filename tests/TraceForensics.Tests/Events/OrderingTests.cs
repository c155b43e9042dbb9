using System.Globalization;
using System.Text;
using TraceForensics.Events.Model;
using TraceForensics.Events.Reading;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Events;

public class OrderingTests
{
    /// <summary>An ftrace sched_waking line at <paramref name="ns"/> whose woken pid tags it.</summary>
    private static string Line(long ns, int tag, int cpu = 0) =>
        string.Create(CultureInfo.InvariantCulture,
            $"              dd-3685    [{cpu:000}] d..2.   {TraceTime.Format(ns)}: sched_waking: comm=x pid={tag} prio=120 target_cpu=000\n");

    private static long Ms(double ms) => (long)(ms * 1_000_000);

    private static int[] Tags(IEnumerable<TraceEvent> events) => events.Select(e => e.Payload.OtherPid ?? -1).ToArray();

    private static Func<Stream> Stream(string text) => () => new MemoryStream(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Slightly_out_of_order_lines_come_out_sorted()
    {
        // trace_pipe merges per-cpu buffers: a few ms of disorder.
        var (session, events) = Run.Text(
            Line(Ms(1000), 1, cpu: 0) +
            Line(Ms(1003), 3, cpu: 0) +
            Line(Ms(1002), 2, cpu: 1) +
            Line(Ms(1050), 5, cpu: 0) +
            Line(Ms(1004), 4, cpu: 1) +
            Line(Ms(1099), 6, cpu: 1));
        Assert.Equal([1, 2, 3, 4, 5, 6], Tags(events));
        Assert.Empty(session.Tables.Diagnostics.Kept);
        Assert.Equal(events.OrderBy(e => e.TimestampNs).Select(e => e.TimestampNs), events.Select(e => e.TimestampNs));
    }

    [Fact]
    public void Sorting_keeps_each_event_with_its_source_line()
    {
        var (_, events) = Run.Text(Line(Ms(10), 1) + Line(Ms(5), 2));
        Assert.Equal([2, 1], Tags(events));
        Assert.Equal([2L, 1L], events.Select(e => e.Source.Line));
    }

    [Fact]
    public void Far_out_of_order_is_reported_and_still_delivered()
    {
        // 0 and 200 ms are released once 400 ms arrives; 150 ms then comes after 200 ms went out.
        var (session, events) = Run.Text(
            Line(Ms(0), 1) +
            Line(Ms(200), 2) +
            Line(Ms(400), 3) +
            Line(Ms(150), 4));
        Assert.Equal([1, 2, 4, 3], Tags(events));
        var d = Assert.Single(session.Tables.Diagnostics.Kept);
        Assert.Equal("time-went-back", d.Code);
        Assert.Equal(4, d.Line);
        Assert.Contains("0.150000", d.Message);
        Assert.Contains("0.200000", d.Message);
    }

    [Fact]
    public void Within_the_window_nothing_is_reported_even_across_a_release()
    {
        // 2 ms arrives after 0 ms was released but is not earlier than it: sorted, no diagnostic.
        var (session, events) = Run.Text(Line(Ms(0), 1) + Line(Ms(1), 2) + Line(Ms(500), 4) + Line(Ms(2), 3));
        Assert.Equal([1, 2, 3, 4], Tags(events));
        Assert.Empty(session.Tables.Diagnostics.Kept);
    }

    [Fact]
    public void A_full_window_releases_events_and_a_later_straggler_is_reported()
    {
        // 9000 events within 1 ms never pass the time window, only the capacity; then one earlier than all of them.
        var text = new StringBuilder();
        for (int i = 0; i < 9000; i++) text.Append(Line(Ms(1000) + i * 100L, i + 1));
        text.Append(Line(Ms(999), 0));
        var (session, events) = Run.Text(text.ToString());

        Assert.Equal(9001, events.Count);
        Assert.Contains(events, e => e.Payload.OtherPid == 0);
        var d = Assert.Single(session.Tables.Diagnostics.Kept);
        Assert.Equal("time-went-back", d.Code);
        Assert.Equal(9001, d.Line);
        // Everything except the straggler is still in time order.
        var rest = events.Where(e => e.Payload.OtherPid != 0).Select(e => e.TimestampNs).ToList();
        Assert.Equal(rest.Order(), rest);
    }

    [Fact]
    public void Equal_timestamps_keep_line_order()
    {
        var (session, events) = Run.Text(
            Line(Ms(5), 1) + Line(Ms(5), 2) + Line(Ms(4), 0) + Line(Ms(5), 3) + Line(Ms(5), 4, cpu: 1));
        Assert.Equal([0, 1, 2, 3, 4], Tags(events));
        Assert.Empty(session.Tables.Diagnostics.Kept);
    }

    [Fact]
    public void Two_inputs_are_merged_in_time_order()
    {
        using var session = TraceSession.Open(
        [
            ("a", Stream(Line(Ms(1), 1) + Line(Ms(4), 4) + Line(Ms(5), 5))),
            ("b", Stream(Line(Ms(2), 2) + Line(Ms(3), 3) + Line(Ms(6), 6))),
        ]);
        var events = Run.Drain(session);
        Assert.Equal([1, 2, 3, 4, 5, 6], Tags(events));
        Assert.Equal(["a", "b", "b", "a", "a", "b"], events.Select(e => session.PathOf(e)));
        Assert.Equal([0, 1, 1, 0, 0, 1], events.Select(e => e.Source.Input));
        Assert.Equal(2, session.Inputs.Count);
        Assert.All(session.Inputs, i => Assert.Equal(3, i.Events));
    }

    [Fact]
    public void Merging_inputs_of_different_formats()
    {
        using var session = TraceSession.Open(
        [
            ("ftrace", Stream(Line(392_336_600_000L, 1))),
            ("perf", Stream(
                "perf  4124 [000]   392.336511:                     sched:sched_waking: comm=migration/0 pid=18 prio=0 target_cpu=000\n" +
                "     migration/0    18 [000]   392.336630:                     sched:sched_waking: comm=perf pid=4124 prio=120 target_cpu=000\n")),
        ]);
        var events = Run.Drain(session);
        Assert.Equal([18, 1, 4124], Tags(events));
    }

    [Fact]
    public void Equal_timestamps_across_inputs_go_in_input_order_then_line_order()
    {
        for (int run = 0; run < 3; run++) // deterministic, not an accident of one run
        {
            using var session = TraceSession.Open(
            [
                ("a", Stream(Line(Ms(7), 1) + Line(Ms(7), 2))),
                ("b", Stream(Line(Ms(7), 3) + Line(Ms(7), 4))),
                ("c", Stream(Line(Ms(6), 0) + Line(Ms(7), 5))),
            ]);
            Assert.Equal([0, 1, 2, 3, 4, 5], Tags(Run.Drain(session)));
        }
    }

    [Fact]
    public void An_unreadable_input_is_rejected_and_the_others_are_still_merged()
    {
        using var session = TraceSession.Open(
        [
            ("good", Stream(Line(Ms(1), 1) + Line(Ms(2), 2))),
            ("html", Stream("<!DOCTYPE html><html><body>trace</body></html>\n")),
        ]);
        Assert.Equal([1, 2], Tags(Run.Drain(session)));
        Assert.NotNull(session.Inputs[1].Rejection);
        var d = Assert.Single(session.Tables.Diagnostics.Kept);
        Assert.Equal("unsupported-format", d.Code);
        Assert.Equal("html", d.Path);
    }
}

public class ReorderPropertyTests
{
    [FsCheck.Xunit.Property(MaxTest = 200)]
    public void Events_shuffled_within_the_window_come_out_sorted_and_stable(int seed)
    {
        // Timestamps 1 µs apart, each moved by up to ±40 ms (inside the 100 ms window), some equal.
        var rnd = new Random(seed);
        int n = rnd.Next(1, 400);
        var ts = Enumerable.Range(0, n).Select(i => 1_000_000L + i + (rnd.Next(3) == 0 ? rnd.Next(-40_000, 40_000) : 0)).Select(t => Math.Max(t, 0)).ToList();
        var text = string.Concat(ts.Select((t, i) =>
            $"            bash-{100 + i % 7}    [00{i % 2}] .....   {t / 1_000_000}.{t % 1_000_000:000000}: sched_waking: comm=x pid={i} prio=120 target_cpu=000\n"));
        var (session, events) = Run.Text(text);
        Assert.Equal(n, events.Count);
        var expected = ts.Select((t, i) => (t, i)).OrderBy(x => x.t).ThenBy(x => x.i).Select(x => x.i).ToList();
        Assert.Equal(expected, events.Select(e => e.Payload.OtherPid!.Value).ToList());
        Assert.DoesNotContain(session.Tables.Diagnostics.Kept, d => d.Code == "time-went-back");
    }
}
