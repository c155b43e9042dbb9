using TraceForensics.Events.Model;
using TraceForensics.Replay.Pages;
using Xunit;

namespace TraceForensics.Tests.Replay;

/// <summary>The page tracker's table by blocks of pages stores and finds what a table by page does: the same operations
/// on both, a page at a time and by runs across block edges (negative and huge indexes, named devices too), leave the
/// same pages with the same states.</summary>
public class PageTableTests
{
    private static readonly DeviceNumber[] Devs = [new(7, 0), new(8, 16), DeviceNumber.Named("btrfs-1")];

    private static PageKey Key(Random r) =>
        new(Devs[r.Next(Devs.Length)], (ulong)r.Next(3), r.Next(4) switch
        {
            0 => r.Next(-200, 200),
            1 => long.MaxValue - r.Next(300),
            _ => r.Next(1000),
        });

    [Fact]
    public void Stores_and_finds_what_a_table_by_page_does()
    {
        var r = new Random(15);
        var table = new PageTable();
        var byPage = new Dictionary<PageKey, int>();
        for (int step = 0; step < 20000; step++)
        {
            var key = Key(r);
            int count = r.Next(1, 150);
            int mark = step + 1;
            switch (r.Next(4))
            {
                case 0:
                    table.GetOrAdd(key).WritebackBy = mark;
                    byPage[key] = mark;
                    break;
                case 1:
                    table.Remove(key);
                    byPage.Remove(key);
                    break;
                case 2: // a run added, block after block
                    for (int done = 0; done < count;)
                    {
                        var run = table.GetOrAddRun(key with { Index = key.Index + done }, count - done);
                        foreach (ref var page in run) page.WritebackBy = mark;
                        done += run.Length;
                    }
                    for (int i = 0; i < count; i++) byPage[key with { Index = key.Index + i }] = mark;
                    break;
                case 3: // a run's stored pages with an odd mark removed, block after block
                    for (int done = 0; done < count;)
                    {
                        var first = key with { Index = key.Index + done };
                        var run = table.Run(first, count - done, out int length, out ulong stored);
                        ulong odd = 0;
                        for (int i = 0; i < length; i++)
                            if ((stored & (1UL << i)) != 0 && (run[i].WritebackBy & 1) == 1) odd |= 1UL << i;
                        table.Remove(first, odd);
                        done += length;
                    }
                    for (int i = 0; i < count; i++)
                        if (byPage.TryGetValue(key with { Index = key.Index + i }, out int m) && (m & 1) == 1) byPage.Remove(key with { Index = key.Index + i });
                    break;
            }
            var probe = Key(r);
            ref var found = ref table.Get(probe);
            Assert.Equal(byPage.TryGetValue(probe, out int expected), !System.Runtime.CompilerServices.Unsafe.IsNullRef(ref found));
            if (byPage.ContainsKey(probe)) Assert.Equal(expected, found.WritebackBy);
        }
        var kept = table.Entries.ToDictionary(e => e.Key, e => e.State.WritebackBy);
        Assert.NotEmpty(byPage);
        Assert.Equal(byPage.OrderBy(p => p.Key.ToString()), kept.OrderBy(p => p.Key.ToString()));
    }
}
