using System.Text;
using TraceForensics.Analysis;
using TraceForensics.Cli.Findings;
using TraceForensics.Events.Reading;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Events;

/// <summary>Reading on several threads (runs of lines decoded apart, the merge on a thread of its own) gives what
/// reading one line after the other on one thread gives: the same events with the same stacks and sources, the same
/// diagnostics in the same order, the same input summaries and the same findings, on real captures of every text
/// format, a kernel log and a trace.dat beside them, and inputs made to hit the edges (a line longer than the limit,
/// carriage returns, a last line without a newline, a switch to threads in the middle of an input).</summary>
public class ParallelReadingTests
{
    public static TheoryData<string[]> RealCaptures => new()
    {
        new[] { "xfs-fsync.ftrace.txt" },
        new[] { "xfs-memcg-reclaim.ftrace.txt.gz" },
        new[] { "xfs-fsync.trace-cmd-report.txt" },
        new[] { "xfs-fsync.perf-script.txt" },
        new[] { "xfs-fsync.perf-script-nostack.txt" },
        new[] { "xfs-frozen-backing-stall.ftrace.txt", "xfs-frozen-backing-stall.dmesg.txt" },
        new[] { "xfs-fsync.trace.dat", "xfs-fsync.ftrace.txt" },
    };

    [SkippableTheory]
    [MemberData(nameof(RealCaptures))]
    public void Real_captures_read_on_two_threads_as_on_one(string[] files)
    {
        var dir = Require.RealTraces();
        var paths = files.Select(f => Path.Combine(dir, f)).ToArray();
        var serial = Dump(paths, new TraceSessionOptions { Parallelism = 1 }, out bool serialParallel);
        Assert.False(serialParallel);
        // From the first line, and from the middle of the (first) input on: its reading switches to runs of lines there.
        // The merge on a thread of its own (ReadAhead, the replay's) or on the caller's (stats').
        foreach (long after in new long[] { 0, 50_000 })
        foreach (bool ahead in new[] { true, false })
        {
            var parallel = Dump(paths, new TraceSessionOptions { Parallelism = 2, ParallelAfterBytes = after, ReadAhead = ahead }, out bool wentParallel);
            if (after == 0) Assert.True(wentParallel);
            Assert.Equal(serial, parallel);
        }
        Assert.Contains("event ", serial);
    }

    [Fact]
    public void Edge_lines_read_on_two_threads_as_on_one()
    {
        var text = new StringBuilder();
        for (int i = 0; i < 20_000; i++)
        {
            long us = 1_000_000 + i * 10L;
            text.Append($"          <idle>-0       [00{i % 4}] d..2. {us / 1_000_000}.{us % 1_000_000:000000}: sched_switch: prev_comm=a prev_pid={i % 50 + 1} " +
                        $"prev_prio=120 prev_state=D ==> next_comm=b next_pid={i % 7 + 100} next_prio=120{(i % 3 == 0 ? "\r" : "")}\n");
            if (i % 1000 == 5) text.Append(" => folio_wait_bit\n => filemap_fault\n");
            if (i % 4000 == 7) text.Append("junk that is no ftrace line\n");
            if (i == 9000) text.Append(new string('x', (1 << 20) + 10)).Append('\n'); // longer than the line limit
        }
        text.Append("          <idle>-0       [000] d..2. 9.000000: sched_waking: comm=a pid=1 prio=120 target_cpu=000"); // no newline
        var path = Run.TempFile(text.ToString());
        try
        {
            var serial = Dump([path], new TraceSessionOptions { Parallelism = 1 }, out _);
            foreach (long after in new long[] { 0, 1_500_000 })
            foreach (bool ahead in new[] { true, false })
            {
                var parallel = Dump([path], new TraceSessionOptions { Parallelism = 2, ParallelAfterBytes = after, ReadAhead = ahead }, out bool wentParallel);
                if (after == 0) Assert.True(wentParallel);
                Assert.Equal(serial, parallel);
            }
            Assert.Contains(TraceForensics.Ingest.Diagnostics.DiagnosticCodes.OverlongLine, serial);
            Assert.Contains(TraceForensics.Ingest.Diagnostics.DiagnosticCodes.UnrecognizedLine, serial);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Events that wait in the reorder window while many runs of lines after theirs are read (one event far ahead
    /// in time every few thousand lines, so each holds the run it was decoded in): past the runs the window holds on to,
    /// their events are copied out of the oldest, and all come out as one thread reads them.</summary>
    [Fact]
    public void Events_waiting_long_in_the_window_read_on_two_threads_as_on_one()
    {
        var text = new StringBuilder();
        long us = 1_000_000;
        for (int block = 0; block < 50; block++)
        {
            for (int i = 0; i < 1000; i++, us += 3)
                text.Append($"          <idle>-0       [00{i % 4}] d..2. {us / 1_000_000}.{us % 1_000_000:000000}: sched_switch: prev_comm=a prev_pid={i % 50 + 1} " +
                            $"prev_prio=120 prev_state=D ==> next_comm=b next_pid={i % 7 + 100} next_prio=120\n");
            long ahead = 9_000_000 + block * 10L; // all within the window of each other: they wait to the end
            text.Append($"          <idle>-0       [001] d..2. {ahead / 1_000_000}.{ahead % 1_000_000:000000}: sched_waking: comm=c pid={block + 1} prio=120 target_cpu=001\n");
        }
        var path = Run.TempFile(text.ToString());
        try
        {
            var serial = Dump([path], new TraceSessionOptions { Parallelism = 1 }, out _);
            foreach (bool ahead in new[] { true, false })
            {
                var parallel = Dump([path], new TraceSessionOptions { Parallelism = 2, ParallelAfterBytes = 0, ReadAhead = ahead }, out bool wentParallel);
                Assert.True(wentParallel);
                Assert.Equal(serial, parallel);
            }
            // The events far ahead come last, in time order.
            var events = serial.Split('\n').Where(l => l.StartsWith("event ", StringComparison.Ordinal)).ToList();
            Assert.Equal(50 * 1001, events.Count);
            Assert.StartsWith("event 9.000000 ", events[^50]);
            Assert.StartsWith("event 9.000490 ", events[^1]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Everything a reading and an analysis of it give, as text: every event, the summaries, the diagnostics
    /// and the findings (as `analyze --format json` writes them).</summary>
    private static string Dump(string[] paths, TraceSessionOptions options, out bool readInParallel)
    {
        var text = new StringBuilder();
        using (var session = TraceSession.Open(paths, options))
        {
            while (session.Read(out var e))
                text.Append("event ").Append(e).Append(' ').Append(e.Source).Append(" stack ")
                    .AppendJoin(',', session.Tables.Stacks.Get(e.StackId)).Append(' ').Append(PayloadText(e.Payload)).Append('\n');
            readInParallel = session.ReadsInParallel;
            AppendSummaries(text, session);
        }
        using (var session = TraceSession.Open(paths, options))
        {
            var result = TraceAnalysis.Run(session, new AnalysisOptions());
            AppendSummaries(text, session);
            var json = new MemoryStream();
            FindingsJsonWriter.Write(new AnalysisReport
            {
                Inputs = result.Inputs, InputHashes = result.Inputs.Select(_ => "").ToList(),
                Findings = result.Findings, Diagnostics = result.Diagnostics,
            }, json);
            text.Append(Encoding.UTF8.GetString(json.ToArray()));
        }
        return text.ToString();
    }

    private static void AppendSummaries(StringBuilder text, TraceSession session)
    {
        foreach (var i in session.Inputs)
            text.Append($"input {i.Path} {i.Format} lines={i.Lines} events={i.Events} bytes={i.Bytes} stacks={i.Stacks} lost={i.LostEvents} " +
                        $"first={i.FirstTimestampNs} last={i.LastTimestampNs}\n");
        foreach (var d in session.Tables.Diagnostics.Kept) text.Append("diagnostic ").Append(d).Append(' ').Append(d.Code).Append('\n');
        text.Append($"stacks {session.Tables.Stacks.Count} diagnostics {session.Tables.Diagnostics.Kept.Count}\n");
    }

    /// <summary>The payload's fields, by reflection (a struct of nullable fields and a few objects).</summary>
    private static string PayloadText(object payload) =>
        string.Join(';', payload.GetType().GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)
            .Select(f => $"{f.Name}={Format(f.GetValue(payload))}"));

    private static string Format(object? v) => v switch
    {
        null => "",
        string s => s,
        System.Collections.IEnumerable list => string.Join(',', list.Cast<object?>().Select(Format)),
        _ when v.GetType().IsValueType && !v.GetType().IsPrimitive && !v.GetType().IsEnum && v.GetType().Namespace?.StartsWith("TraceForensics") == true => PayloadText(v),
        _ => v.ToString() ?? "",
    };
}
