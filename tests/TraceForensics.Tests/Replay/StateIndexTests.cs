using TraceForensics.Events.Model;
using TraceForensics.Ingest.Formats;
using TraceForensics.Replay.Bios;
using TraceForensics.Replay.Evidence;
using TraceForensics.Replay.Filesystems;
using TraceForensics.Replay.Pages;
using TraceForensics.Tests.Support;
using static TraceForensics.Tests.Replay.TrackerVerbTests;

namespace TraceForensics.Tests.Replay;

/// <summary>The indexes that keep the cost of an event flat in the size of the state (issue #15): sector ranges found by
/// overlap, bios and ioends looked up by sector, builder, plug and queue line, pages by lock holder. Each answers as the
/// scan it replaced did, after removals and updates, and a checkpoint's copy does not share them.</summary>
public class StateIndexTests
{
    private const string Writer = "          writer-500     [000] .....   ";
    private static TraceEvent BioQueue(string ts, ulong sector, int sectors) =>
        Event($"{Writer}{ts}: block_bio_queue: 8,16 W {sector} + {sectors} [writer]", EventKind.BioQueue);
    private static TraceEvent RqComplete(string ts, ulong sector, int sectors) =>
        Event($"          <idle>-0       [001] ..s1.   {ts}: block_rq_complete: 8,16 W () {sector} + {sectors} be,0,4 [0]", EventKind.RequestComplete);
    private static TraceEvent AddToIoend(string ts) =>
        Event(Writer + ts + ": iomap_add_to_ioend: dev 8:16 ino 0x83 bdev 8:16 pos 0x0 dirty len 0x1000 addr 0x0 offset 0x0 length 0x1000 type MAPPED (0x2) flags  (0x0)", EventKind.WritebackStart);

    [Fact]
    public void Sector_ranges_answer_overlap_queries_as_a_scan_does_through_adds_updates_and_removals()
    {
        var ranges = new SectorRanges<string>();
        var naive = new Dictionary<long, (ulong Start, ulong End)>();
        var random = new Random(15);
        long next = 0;
        for (int step = 0; step < 4000; step++)
        {
            int op = random.Next(10);
            if (op < 4 || naive.Count == 0)
            {
                // Mostly short ranges, now and then a long one that starts far before later queries.
                ulong start = (ulong)random.Next(0, 100_000), len = random.Next(20) == 0 ? (ulong)random.Next(1, 20_000) : (ulong)random.Next(1, 64);
                ranges.Add(next, start, start + len, $"r{next}");
                naive[next++] = (start, start + len);
            }
            else if (op < 6)
            {
                long order = naive.Keys.ElementAt(random.Next(naive.Count));
                Assert.True(ranges.Remove(order));
                naive.Remove(order);
            }
            else if (op < 7)
            {
                // A partial completion: the front or the back of a range is cut off.
                long order = naive.Keys.ElementAt(random.Next(naive.Count));
                var (s, e) = naive[order];
                if (e - s < 2) continue;
                ulong cut = s + 1 + (ulong)random.Next((int)(e - s - 1));
                naive[order] = random.Next(2) == 0 ? (s, cut) : (cut, e);
                ranges.Update(order, naive[order].Start, naive[order].End, $"r{order}");
            }
            else
            {
                ulong qs = (ulong)random.Next(0, 110_000), qe = qs + (ulong)random.Next(1, 200);
                var expected = naive.Where(kv => kv.Value.Start < qe && kv.Value.End > qs).Select(kv => kv.Key).OrderDescending().ToList();
                var found = ranges.Overlapping(qs, qe);
                // Newest first, and every overlapping range is among them.
                Assert.Equal(found.Select(f => f.Order).OrderDescending(), found.Select(f => f.Order));
                var overlapping = found.Where(f => naive[f.Order].Start < qe && naive[f.Order].End > qs).Select(f => f.Order).ToList();
                Assert.Equal(expected, overlapping);
                Assert.All(found, f => Assert.Equal($"r{f.Order}", f.Item));
            }
        }
        Assert.Equal(naive.Count, ranges.Count);
    }

    [Fact]
    public void A_long_range_is_found_from_a_sector_near_its_end_and_not_after_its_removal()
    {
        var ranges = new SectorRanges<string>();
        ranges.Add(0, 1000, 900_000, "long");
        ranges.Add(1, 899_990, 899_998, "short");
        Assert.Equal(["short", "long"], ranges.Overlapping(899_995, 899_996).Select(f => f.Item));
        Assert.True(ranges.Remove(0));
        Assert.False(ranges.Remove(0));
        Assert.Equal(["short"], ranges.Overlapping(899_995, 899_996).Select(f => f.Item));
        Assert.Empty(ranges.Overlapping(0, 0));
    }

    [Fact]
    public void A_partial_completion_keeps_the_bio_in_its_place_and_finds_it_by_its_new_sectors()
    {
        var bios = new BioTracker();
        bios.BioQueue(BioQueue("100.000010", 1000, 16));
        bios.BioQueue(BioQueue("100.000020", 1008, 16)); // overlaps the first: the later one answers for shared sectors
        Assert.Equal(1008UL, bios.InFlightAt(Dev, 1010)!.StartSector);

        // The front of the second completes: what is left of it keeps its place after the first.
        Assert.Empty(bios.Complete(RqComplete("100.000030", 1008, 8)));
        var device = bios.Device(Dev)!;
        Assert.Equal([(1000UL, 1008UL), (1016UL, 1024UL)], device.InFlight.Select(b => (b.StartSector, b.EndSector)));
        Assert.Null(bios.InFlightAt(Dev, 1010));
        Assert.Equal(1016UL, bios.InFlightAt(Dev, 1020)!.StartSector);
        Assert.Equal(1000UL, bios.InFlightAt(Dev, 1003)!.StartSector);
        Assert.Equal(1000UL, device.Oldest!.StartSector);
    }

    [Fact]
    public void Unplug_frees_only_the_bios_of_the_task_that_plugged_even_after_a_checkpoint_copy()
    {
        var state = new TraceForensics.Replay.ReplayState(new StackTable());
        var bios = state.Bios;
        bios.Plug(Event(Writer + "100.000005: block_plug: [writer]", EventKind.Plug));
        bios.BioQueue(BioQueue("100.000010", 1000, 8));
        bios.BioQueue(BioQueue("100.000020", 2000, 8));
        bios.BioQueue(Event("              dd-600     [001] .....   100.000025: block_bio_queue: 8,16 W 3000 + 8 [dd]", EventKind.BioQueue));
        Assert.Equal([500, 500, null], bios.Device(Dev)!.InFlight.Select(b => b.PluggedBy));

        var copy = state.Clone();
        bios.Unplug(Event(Writer + "100.000030: block_unplug: [writer] 2", EventKind.Unplug));
        Assert.All(bios.Device(Dev)!.InFlight, b => Assert.Null(b.PluggedBy));
        // The copy still holds them in the plug, and unplugs them on its own.
        Assert.Equal([500, 500, null], copy.Bios.Device(Dev)!.InFlight.Select(b => b.PluggedBy));
        copy.Bios.Complete(RqComplete("100.000040", 1000, 8));
        copy.Bios.Unplug(Event(Writer + "100.000050: block_unplug: [writer] 1", EventKind.Unplug));
        Assert.Equal([(2000UL, (int?)null), (3000UL, null)], copy.Bios.Device(Dev)!.InFlight.Select(b => (b.StartSector, b.PluggedBy)));
        Assert.Equal(3, bios.Device(Dev)!.InFlight.Count);
    }

    [Fact]
    public void A_remapped_bio_ends_when_its_last_clone_does_and_a_copy_counts_clones_on_its_own()
    {
        var state = new TraceForensics.Replay.ReplayState(new StackTable());
        var upper = new DeviceNumber(254, 0);
        var bios = state.Bios;
        bios.BioQueue(Event($"{Writer}100.000010: block_bio_queue: 254,0 W 456 + 16 [writer]", EventKind.BioQueue));
        bios.Remap(Event($"{Writer}100.000020: block_bio_remap: 8,16 W 2504 + 8 <- (254,0) 456", EventKind.BioRemap));
        bios.Remap(Event($"{Writer}100.000021: block_bio_remap: 8,16 W 9000 + 8 <- (254,0) 460", EventKind.BioRemap));
        var copy = state.Clone();

        bios.Complete(RqComplete("100.000030", 2504, 8));
        Assert.Single(bios.Device(upper)!.InFlight); // one clone is still in flight
        bios.Complete(RqComplete("100.000040", 9000, 8));
        Assert.Empty(bios.Device(upper)!.InFlight);
        Assert.Equal(1, bios.Device(upper)!.CompletedCount);

        // The copy saw neither completion.
        Assert.Single(copy.Bios.Device(upper)!.InFlight);
        Assert.Equal(2, copy.Bios.Device(Dev)!.InFlight.Count);
        copy.Bios.Complete(RqComplete("100.000050", 9000, 8));
        Assert.Single(copy.Bios.Device(upper)!.InFlight);
    }

    [Fact]
    public void An_extent_added_as_runs_builds_the_ioends_page_after_page_does()
    {
        // Extents of 1-12 pages, mostly contiguous with the last, now and then elsewhere or overlapping, so that the builder
        // sometimes has several ioends (where a run stops after one page) and sometimes one (where it takes them all).
        var byRuns = new TraceForensics.Replay.ReplayState(new StackTable()).Bios;
        var byPages = new TraceForensics.Replay.ReplayState(new StackTable()).Bios;
        var random = new Random(15);
        ulong next = 5000;
        long index = 0;
        int wholeRuns = 0, splitRuns = 0;
        for (int step = 0; step < 400; step++)
        {
            var add = AddToIoend($"100.{step + 1:000000}");
            int pages = random.Next(1, 13);
            ulong sector = random.Next(6) switch { 0 => (ulong)random.Next(0, 8000), 1 => next - 8, _ => next };
            var seen = new List<IoendRecord>();
            for (int i = 0; i < pages;)
            {
                var io = byRuns.AddToIoend(add, Dev, sector + (ulong)i * 8, 8, Page(index + i), pages - i, out int run);
                Assert.InRange(run, 1, pages - i);
                if (pages - i > 1) _ = run > 1 ? wholeRuns++ : splitRuns++;
                seen.AddRange(Enumerable.Repeat(io, run));
                i += run;
            }
            for (int i = 0; i < pages; i++)
                Assert.Equal(byPages.AddToIoend(add, Dev, sector + (ulong)i * 8, 8, Page(index + i)).Id, seen[i].Id);
            if (random.Next(4) == 0)
            {
                var queue = BioQueue($"100.{step + 1:000000}", 0, 100_000); // submits every ioend built so far
                byRuns.BioQueue(queue);
                byPages.BioQueue(queue);
            }
            next = sector + (ulong)pages * 8;
            index += pages;
        }
        static string Text(BioTracker b) => string.Join("\n", b.Unsubmitted.Concat(b.SubmittedNotCompleted)
            .Select(io => $"{io.Id} {io.StartSector}-{io.EndSector} {string.Join(",", io.Pages.Select(p => p.Index))} {io.Pages.LineOf(io.Pages.First())}"));
        Assert.Equal(Text(byPages), Text(byRuns));
        Assert.True(byRuns.Unsubmitted.Count + byRuns.SubmittedNotCompleted.Count > 10);
        Assert.True(wholeRuns > 10 && splitRuns > 10, $"{wholeRuns} whole runs, {splitRuns} split"); // both ways were taken
    }

    [Fact]
    public void Ioends_are_found_by_builder_and_end_sector_and_a_copy_submits_its_own()
    {
        var state = new TraceForensics.Replay.ReplayState(new StackTable());
        var bios = state.Bios;
        var add = AddToIoend("100.000001");
        var first = bios.AddToIoend(add, Dev, 5000, 8, Page(0));
        var other = bios.AddToIoend(add, Dev, 9000, 8, Page(10));
        Assert.Same(first, bios.AddToIoend(add, Dev, 5008, 8, Page(1))); // contiguous: the same ioend, now ending at 5016
        Assert.Same(other, bios.AddToIoend(add, Dev, 9008, 8, Page(11)));
        var third = bios.AddToIoend(add, Dev, 5008, 8, Page(2)); // 5008 is no longer where the first ends
        Assert.NotSame(first, third);
        // Two of its ioends now end at 5016: the one added last is extended.
        Assert.Same(third, bios.AddToIoend(add, Dev, 5016, 8, Page(3)));
        Assert.Equal(5024UL, third.EndSector);
        Assert.Same(first, bios.AddToIoend(add, Dev, 5016, 8, Page(4))); // now the only one ending there
        Assert.Equal(5024UL, first.EndSector);
        Assert.Same(first, bios.UnsubmittedBuiltBy(500));
        Assert.Null(bios.UnsubmittedBuiltBy(600));
        Assert.Equal(3, bios.Unsubmitted.Count);

        var copy = state.Clone();
        bios.BioQueue(BioQueue("100.000010", 5000, 16)); // covers the first and the one made at 5008
        Assert.Equal([other], bios.Unsubmitted);
        Assert.Same(other, bios.UnsubmittedBuiltBy(500));
        Assert.Equal(3, copy.Bios.Unsubmitted.Count);
        Assert.Empty(copy.Bios.SubmittedNotCompleted);
        Assert.Equal(2, bios.SubmittedNotCompleted.Count);

        // The ioends complete with the bio that covers them, the copy's not.
        Assert.Equal(2, bios.Complete(RqComplete("100.000020", 5000, 16)).Count);
        copy.Bios.BioQueue(BioQueue("100.000030", 9000, 16));
        Assert.Equal(2, copy.Bios.Unsubmitted.Count);
        Assert.NotSame(other, Assert.Single(copy.Bios.SubmittedNotCompleted)); // the copy's own record of it
        Assert.Equal([other], bios.Unsubmitted);
    }

    [Fact]
    public void A_page_lock_taken_over_by_another_task_leaves_the_first_holding_nothing_in_the_original_and_the_copy()
    {
        var pages = new PageTracker();
        pages.PageLockAcquired(Page(5), 10, Line(1), observed: true, rule: null);
        pages.PageLockAcquired(Page(3), 10, Line(2), observed: true, rule: null);
        var copy = pages.Clone(new Dictionary<IoendRecord, IoendRecord>());
        // The lock of page 3 is seen taken by task 11 (its release was not traced).
        pages.PageLockAcquired(Page(3), 11, Line(3), observed: true, rule: null);
        Assert.Equal(Page(5), pages.HeldBy(10)!.Key);
        Assert.Equal(Page(3), pages.HeldBy(11)!.Key);
        pages.PageUnlock(Page(5));
        Assert.Null(pages.HeldBy(10));

        Assert.Equal(Page(3), copy.HeldBy(10)!.Key);
        Assert.Null(copy.HeldBy(11));
        Assert.NotSame(pages.Get(Page(3)), copy.Get(Page(3)));
    }

    [Fact]
    public void A_mapping_replaces_the_extents_it_overlaps_and_pages_find_the_extent_holding_them()
    {
        var maps = new BlockMapTracker();
        void Map(string ts, long lblk, long pblk, long len) => maps.Map(Event(
            $"              dd-710     [000] .....   {ts}: ext4_ext_map_blocks_exit: dev 8,16 ino 131 flags CREATE lblk {lblk} pblk {pblk} len {len} mflags NM ret {len}",
            EventKind.BlockMap));
        ulong? Sector(long index, BlockMapTracker m) => m.SectorOf(Page(index), 4096)?.Sector;
        Map("100.000001", 0, 1000, 10);
        Map("100.000002", 20, 5000, 10);
        Map("100.000003", 40, 7000, 10);
        Assert.Equal(1003UL * 8, Sector(3, maps));
        Assert.Null(Sector(15, maps)); // a hole
        var copy = maps.Clone();

        // Blocks 5..24 reallocated: the first extent (reaching into it) and the second (inside it) are gone.
        Map("100.000004", 5, 9000, 20);
        Assert.Null(Sector(3, maps));
        Assert.Equal(9010UL * 8, Sector(15, maps));
        Assert.Null(Sector(27, maps));
        Assert.Equal(7002UL * 8, Sector(42, maps)); // untouched
        Assert.Null(Sector(50, maps));
        // The copy keeps the mappings it had.
        Assert.Equal(1003UL * 8, Sector(3, copy));
        Assert.Equal(5007UL * 8, Sector(27, copy));
        Assert.Null(Sector(15, copy));
    }
}
