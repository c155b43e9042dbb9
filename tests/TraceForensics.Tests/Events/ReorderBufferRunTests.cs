using TraceForensics.Events.Model;
using TraceForensics.Events.Reading;

namespace TraceForensics.Tests.Events;

/// <summary>The reorder window keeps an event of a decoded run where it was decoded: a run comes back (to be filled
/// again) only once none of its events waits, or, past the runs the window holds on to, after its waiting events were
/// copied out; what leaves the window is what was added, in time order, even when the runs given back are overwritten.</summary>
public class ReorderBufferRunTests
{
    [Fact]
    public void Runs_come_back_when_their_events_left_or_were_copied_out()
    {
        var window = new ReorderBuffer(capacity: 8192, windowNs: 100);
        var back = new List<DecodedLines>();
        window.Recycle = run => back.Add(run);
        var runs = new List<DecodedLines>();
        long line = 0;
        // 40 runs of 3 events: two in time order, one far ahead (it waits to the end and holds its run).
        for (int r = 0; r < 40; r++)
        {
            var run = new DecodedLines();
            runs.Add(run);
            for (int i = 0; i < 3; i++)
            {
                long ts = i == 2 ? 1_000_000 + r : 10 * (3 * r + i);
                run.Records[i].Event = new TraceEvent { TimestampNs = ts, Pid = r, Cpu = i, Comm = "c", Name = "n",
                    Source = new SourceLocation(0, ++line, 0) };
                window.Add(run, i);
            }
            while (window.Ready && window.OldestLine != line)
            {
                window.TakeOldest(out var e);
                Assert.True(e.TimestampNs < 1_000_000);
            }
            window.Retire(run);
        }
        // Past 32 runs held, the oldest ones came back with their waiting event copied out.
        Assert.Equal(40 - 32, back.Count);
        Assert.Equal(runs.Take(8), back);
        foreach (var run in back) Array.Clear(run.Records); // filled again
        var left = new List<TraceEvent>();
        while (window.Count > 0)
        {
            window.TakeOldest(out var e);
            left.Add(e);
        }
        Assert.Equal(Enumerable.Range(0, 40).Select(r => 1_000_000L + r), left.Where(e => e.TimestampNs >= 1_000_000).Select(e => e.TimestampNs));
        Assert.Equal(Enumerable.Range(0, 40), left.Where(e => e.TimestampNs >= 1_000_000).Select(e => e.Pid));
        Assert.All(left, e => Assert.Equal("c", e.Comm));
        Assert.Equal(40, back.Count); // every run came back once its last event left
        Assert.Equal(40, back.Distinct().Count());
    }
}
