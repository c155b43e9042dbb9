using System.Buffers.Binary;
using TraceForensics.Analysis;
using TraceForensics.Cli.Watch;
using TraceForensics.Ingest.Input;
using TraceForensics.Ingest.TraceDat;
using TraceForensics.Replay.Tasks;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Cli;

/// <summary>What bounds `tracefx watch`'s memory (issue #19): the pages held stay under their caps however many windows
/// go by and however far the replay falls behind; pages dropped unreplayed reach the replay as lost events, which make
/// the tasks not seen since unknown instead of stalled; the replay starts again from the window only when that loses no
/// blocked task, unless the cap forces it (and says so).</summary>
public class WatchMemoryTests
{
    private const int PageSize = 4096;

    private static byte[] Page(ulong ts)
    {
        var p = new byte[PageSize];
        BinaryPrimitives.WriteUInt64LittleEndian(p, ts);
        BinaryPrimitives.WriteUInt64LittleEndian(p.AsSpan(8), 100); // a commit of 100 bytes, nothing lost
        return p;
    }

    private static bool MarkedMissed(byte[] page) => (BinaryPrimitives.ReadUInt64LittleEndian(page.AsSpan(8)) & (1UL << 31)) != 0;

    /// <summary>Two CPUs write 200 pages a second each; the replay takes 100 pages a second (it is behind), the window is
    /// trimmed to 1 s each second. Whether 10 or 100 seconds go by, the window holds at most its cap and the pages not yet
    /// replayed at most theirs; without caps (as before) the pages waiting for the replay grow with the run.</summary>
    [Theory]
    [InlineData(10)]
    [InlineData(100)]
    public void Pages_held_stay_under_the_caps_whatever_the_run_length(int seconds)
    {
        const long keptCap = 300 * PageSize, pendingCap = 150 * PageSize;
        var capped = new PageWindow(keptCap, pendingCap);
        var uncapped = new PageWindow();
        long most = 0, mostPending = 0;
        bool gapSeen = false;
        for (int s = 0; s < seconds; s++)
        {
            for (int i = 0; i < 200; i++)
                foreach (int cpu in new[] { 0, 1 })
                {
                    var page = Page((ulong)(s * 1_000_000_000L + i * 5_000_000L + cpu));
                    capped.Add(cpu, page);
                    uncapped.Add(cpu, page);
                }
            var taken = capped.TakeNew(100 * PageSize);
            uncapped.TakeNew(100 * PageSize);
            Assert.Equal(100, taken.Sum(c => c.Pages.Count));
            gapSeen |= taken.Any(c => c.Pages.Any(MarkedMissed));
            // Oldest first across the CPUs: the pages taken are the oldest waiting on both.
            Assert.True(taken.All(c => c.Pages.Zip(c.Pages.Skip(1)).All(p => PageWindow.Start(p.First) < PageWindow.Start(p.Second))));
            ulong fromRaw = (ulong)Math.Max(0, (s + 1) * 1_000_000_000L - 1_000_000_000L);
            capped.Trim(fromRaw);
            uncapped.Trim(fromRaw);
            most = Math.Max(most, capped.Bytes);
            mostPending = Math.Max(mostPending, capped.PendingBytes);
        }
        Assert.True(most <= keptCap, $"{most} bytes kept");
        Assert.True(mostPending <= pendingCap, $"{mostPending} bytes waiting");
        Assert.True(capped.Dropped > 0);
        Assert.True(gapSeen, "no page handed over after the dropped ones is marked as following lost events");
        Assert.Equal(300L * seconds * PageSize, uncapped.PendingBytes); // 400 in, 100 out each second
        // The window holds only its cap when the pages of one second pass it: the oldest went first.
        var kept = capped.Snapshot().SelectMany(c => c.Pages).Select(PageWindow.Start).ToList();
        Assert.True(kept.Min() >= (ulong)((seconds - 1) * 1_000_000_000L), "the window kept older pages than its newest ones");
        Assert.True(capped.Shortened > 0);
    }

    /// <summary>A page handed over after dropped ones is a copy: the window's own (written with an incident) is not marked;
    /// a replay started again is handed the window's pages, unmarked, once.</summary>
    [Fact]
    public void The_mark_of_lost_events_is_on_a_copy_and_a_requeue_hands_the_window_over_once()
    {
        var w = new PageWindow(long.MaxValue, PageSize);
        w.Add(0, Page(100));
        w.Add(0, Page(200)); // the page of 100 goes unreplayed
        var taken = Assert.Single(Assert.Single(w.TakeNew()).Pages);
        Assert.Equal(200UL, PageWindow.Start(taken));
        Assert.True(MarkedMissed(taken));
        Assert.Equal(1, w.Dropped);
        Assert.All(w.Snapshot().Single().Pages, p => Assert.False(MarkedMissed(p)));
        w.RequeueAll();
        Assert.Equal([100UL, 200UL], Assert.Single(w.TakeNew()).Pages.Select(PageWindow.Start));
        Assert.Empty(w.TakeNew());
    }

    /// <summary>The pages of a real trace.dat replayed live in time order up to the first page of cpu 0 that starts after dd
    /// went to sleep in fsync (408.498088486) on cpu 1, once as read and once with the replay behind at cpu 0's page before
    /// it (the page after arrives before the replay takes it, the cap holds one: the older is dropped). As read, dd is still blocked and a hung task past the
    /// threshold (longer than dd had slept when the page was lost); after the lost page it is unknown, and no finding
    /// names it.</summary>
    [SkippableFact]
    public void Pages_dropped_unreplayed_make_the_tasks_not_seen_since_unknown_not_stalled()
    {
        var path = Path.Combine(Require.RealTraces(), "xfs-fsync.trace.dat");
        var bytes = File.ReadAllBytes(path);
        var file = TraceDatFile.Read(bytes);
        var buffer = file.Buffers[0];
        var pages = buffer.Cpus.Where(c => c.Size > 0).SelectMany(c => WatchTests.PagesOf(bytes, c, buffer).Select(p => (c.Cpu, Page: p)))
            .OrderBy(p => PageWindow.Start(p.Page)).ToList();
        const int dd = 4256;
        const long since = 408_498_088_486;
        // dd slept on cpu 1 (trace-cmd report: "dd-4256 [001] 408.498088: sched_switch: dd:4256 [120] D"): the page lost
        // is cpu 0's last before the first of its pages that starts after the sleep, which is marked.
        int next = pages.FindIndex(p => p.Cpu == 0 && PageWindow.Start(p.Page) > since);
        int k = next > 0 ? pages.FindLastIndex(next - 1, p => p.Cpu == 0) : -1;
        Assert.True(k >= 0 && next > k, "no two pages of cpu 0 around dd's sleep");
        pages = pages[..(next + 1)];
        var options = new AnalysisOptions { StallThresholdNs = (long)PageWindow.Start(pages[next].Page) - since + 1 };

        var read = Replay(pages, file, options, behindAt: -1, out var window);
        Assert.Equal(0, window.Dropped);
        var asRead = read.Analyzer.State.Tasks.Get(dd);
        Assert.True(asRead is { IsBlocked: true } && asRead.StateSinceNs == since, $"dd: {asRead?.State} since {asRead?.StateSinceNs}");
        Assert.Contains(read.Analyzer.Findings(), f => f.Tasks.Any(t => t.Pid == dd));

        var lost = Replay(pages, file, options, behindAt: k, out var lostWindow);
        Assert.Equal(1, lostWindow.Dropped);
        Assert.Equal(TaskRunState.Unknown, lost.Analyzer.State.Tasks.Get(dd)?.State);
        Assert.DoesNotContain(lost.Analyzer.Findings(), f => f.Tasks.Any(t => t.Pid == dd));
        Assert.Equal(window.Snapshot().Sum(c => c.Pages.Count), lostWindow.Snapshot().Sum(c => c.Pages.Count)); // the window lost nothing
    }

    private static LiveReplay Replay(List<(int Cpu, byte[] Page)> pages, TraceDatFile file, AnalysisOptions options, int behindAt,
                                     out PageWindow window)
    {
        var live = new LiveReplay(file, options);
        window = new PageWindow(long.MaxValue, pages.Max(p => p.Page.Length), file.CommitSize);
        var cpus = pages.Select(p => p.Cpu).Distinct().ToList();
        for (int i = 0; i < pages.Count; i++)
        {
            window.Add(pages[i].Cpu, pages[i].Page);
            if (i == behindAt) continue; // the next page arrives before the replay takes this one
            live.Decode(window.TakeNew());
            live.Release(cpus.Min(c => live.LastOf(c) ?? long.MinValue));
        }
        live.Release(long.MaxValue);
        return live;
    }

    /// <summary>The replay starts again from a window of 10 s (dd blocked 1.3 s ago went to sleep inside it), not from one
    /// of 1 s (it would lose dd) unless the heap beyond the pages passes a quarter of the cap, and then it names dd. Not
    /// before a window has passed, nor while behind unless forced.</summary>
    [SkippableFact]
    public void The_replay_starts_again_only_when_it_loses_no_blocked_task_unless_the_cap_forces_it()
    {
        var file = TraceDatFile.Read(File.ReadAllBytes(Path.Combine(Require.RealTraces(), "xfs-fsync.trace.dat")));
        const string trace = """
                          dd-4005    [001] d..2.   370.700000: sched_switch: prev_comm=dd prev_pid=4005 prev_prio=120 prev_state=D ==> next_comm=swapper/1 next_pid=0 next_prio=120
                   other-4007    [000] d..2.   372.000000: sched_switch: prev_comm=other prev_pid=4007 prev_prio=120 prev_state=R ==> next_comm=swapper/0 next_pid=0 next_prio=120
            """;
        var (session, events) = Run.Text(trace);
        var live = new LiveReplay(file, new AnalysisOptions());
        foreach (var e in events) live.Analyzer.Observe(e);
        const long cap = 64L << 20, s = 1_000_000_000;
        long Small() => 0;
        long Large() => cap;

        var err = new StringWriter();
        Assert.True(new WatchMemory(cap, 10 * s).Renew(live, 25 * s, behind: false, 0, Small, 0, err));
        Assert.False(new WatchMemory(cap, 10 * s).Renew(live, 5 * s, behind: false, 0, Small, 0, err)); // not a window yet
        Assert.False(new WatchMemory(cap, 10 * s).Renew(live, 25 * s, behind: true, 0, Small, 0, err)); // behind
        Assert.Equal("", err.ToString());

        var oneSecond = new WatchMemory(cap, 1 * s);
        Assert.False(oneSecond.Renew(live, 25 * s, behind: false, 0, Small, 0, err));
        Assert.False(oneSecond.Renew(live, 25 * s, behind: false, cap, Small, 0, err)); // garbage only: a full collection says so
        Assert.Equal("", err.ToString());
        Assert.True(oneSecond.Renew(live, 25 * s, behind: true, cap, Large, 0, err));
        Assert.Contains("unknown now: 4005", err.ToString());
        Assert.Equal((1, 1), (oneSecond.Renewals, oneSecond.ForcedRenewals));
        session.Dispose();
    }

    [Fact]
    public void An_incident_is_cleared_only_when_its_task_is_seen_in_a_later_state()
    {
        const long since = 1000;
        var t = new TaskRecord(7, 0, "dd");
        Assert.False(WatchMemory.HasCleared(null, since)); // not in a replay started again: not seen since
        t.State = TaskRunState.Blocked; t.StateSinceNs = since;
        Assert.False(WatchMemory.HasCleared(t, since));
        t.State = TaskRunState.Unknown; t.StateSinceNs = since + 5; // lost events
        Assert.False(WatchMemory.HasCleared(t, since));
        t.State = TaskRunState.Running; t.StateSinceNs = since - 5; // a replay that has not reached the sleep yet
        Assert.False(WatchMemory.HasCleared(t, since));
        t.State = TaskRunState.Runnable; t.StateSinceNs = since + 5;
        Assert.True(WatchMemory.HasCleared(t, since));
    }

    /// <summary>A bound the live replay reaches is said on stderr, once for the whole watch however often it is reached
    /// (issue 16: a limit hit is a diagnostic; the watch has no log file, its stderr is where it speaks).</summary>
    [SkippableFact]
    public void A_bound_the_live_replay_reaches_is_said_once_on_stderr()
    {
        var file = TraceDatFile.Read(File.ReadAllBytes(Path.Combine(Require.RealTraces(), "xfs-fsync.trace.dat")));
        const string trace = """
                      dd-4005    [001] .....   370.700000: iomap_writepage: dev 7:0 ino 0x80 bdev 7:0 pos 0x0 len 0x10000
                      dd-4005    [001] .....   370.800000: iomap_writepage: dev 7:0 ino 0x81 bdev 7:0 pos 0x0 len 0x10000
            """;
        var (session, events) = Run.Text(trace);
        var live = new LiveReplay(file, new AnalysisOptions(), new InputLimits { MaxPagesPerEvent = 8 });
        var said = new HashSet<string>(StringComparer.Ordinal);
        var err = new StringWriter();
        live.Analyzer.Observe(events[0]);
        live.SayLimitsReached(said, err);
        live.Analyzer.Observe(events[1]);
        live.SayLimitsReached(said, err);
        var lines = err.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("tracefx: a writeback extent of 16 pages is cut to its first 8", Assert.Single(lines)[..61]);
        Assert.Contains("limit MaxPagesPerEvent = 8", lines[0]);
        session.Dispose();
    }
}
