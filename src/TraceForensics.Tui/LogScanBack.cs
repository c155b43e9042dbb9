using TraceForensics.Events.Model;

namespace TraceForensics.Tui;

/// <summary>The last events matching a test before a point of the log (the filter's lines above the cursor, the
/// selected task's previous event), read in time linear in what is read: block by block back from the point when every
/// input is read at offsets (plain files, spill files, events in memory), else in one forward pass from the start
/// keeping the last matches (a trace.dat, a compressed input over the spill bound: a reading of those starts at the
/// input's start, so a walk back block by block would read the start again for each block, quadratic).</summary>
internal static class LogScanBack
{
    /// <summary>Up to <paramref name="most"/> last events before <paramref name="to"/> for which <paramref name="match"/>
    /// holds, in log order, and From: every match in [From, to) is among them. <paramref name="read"/> is told each
    /// event read (progress); <paramref name="cancel"/> stops the reading (OperationCanceledException).</summary>
    public static (int From, List<(int Index, TraceEvent Event)> Matches) LastBefore(EventLog log, int to, int most,
        Func<TraceEvent, bool> match, Action read, CancellationToken cancel)
    {
        to = Math.Min(to, log.Count);
        if (to <= 0 || most <= 0) return (Math.Max(to, 0), []);
        if (!log.AtOffsets)
        {
            var last = new Queue<(int, TraceEvent)>(most + 1);
            int start = 0;
            foreach (var (i, e) in log.Stream(0, to, cancel))
            {
                read();
                if (!match(e)) continue;
                last.Enqueue((i, e));
                if (last.Count > most) start = last.Dequeue().Item1 + 1;
            }
            return (start, last.ToList());
        }
        var before = new List<(int Index, TraceEvent Event)>();
        int from = to;
        for (int block = (to - 1) / EventIndex.BlockEvents; block >= 0 && before.Count < most; block--)
        {
            int blockStart = block * EventIndex.BlockEvents;
            var found = new List<(int, TraceEvent)>();
            foreach (var (i, e) in log.Stream(blockStart, from, cancel))
            {
                read();
                if (match(e)) found.Add((i, e));
            }
            before.InsertRange(0, found);
            from = blockStart;
        }
        if (before.Count > most)
        {
            from = before[before.Count - most - 1].Index + 1;
            before.RemoveRange(0, before.Count - most);
        }
        return (from, before);
    }
}
