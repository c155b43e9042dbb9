using System.Diagnostics;
using TraceForensics.Events.Model;
using TraceForensics.Events.Reading;
using TraceForensics.Ingest.Diagnostics;
using TraceForensics.Ingest.Formats;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.RealTraces;

/// <summary>trace.dat read directly equals its <c>trace-cmd report</c> text read by the text reader, record by record,
/// in every form trace-cmd writes here: the shared capture (version 7, zstd) and its conversions by
/// <c>trace-cmd convert</c> to version 6 and to version 7 uncompressed, zlib and zstd (a form this trace-cmd cannot
/// write is skipped). Needs no root; skips when trace-cmd or ../shared is absent.</summary>
public sealed class TraceDatTests
{
    private const string Capture = "xfs-fsync.trace.dat";

    private static string? TraceCmd =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "trace-cmd")).FirstOrDefault(File.Exists);

    private static (int Exit, string Out, string Err) Exec(params string[] args)
    {
        var psi = new ProcessStartInfo(TraceCmd!) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, err.Result);
    }

    /// <summary>The capture in the asked form, made in a temp dir (the capture itself for "original").</summary>
    private static string Form(string form, string dir)
    {
        var source = Path.Combine(Require.RealTraces(), Capture);
        Skip.If(TraceCmd is null, "trace-cmd is not installed");
        if (form == "original") return source;
        var (version, compression) = form switch
        {
            "v6" => ("6", "none"),
            "v7-none" => ("7", "none"),
            "v7-zlib" => ("7", "zlib"),
            _ => ("7", "zstd"),
        };
        var output = Path.Combine(dir, form + ".dat");
        var (exit, _, err) = Exec("convert", "-i", source, "--file-version", version, "--compression", compression, "-o", output);
        Skip.If(err.Contains("not supported", StringComparison.Ordinal), $"this trace-cmd cannot write {compression}: {err.Trim()}");
        Assert.True(exit == 0 && File.Exists(output), $"trace-cmd convert failed: {err}");
        // The converted file is the asked version (trace-cmd writes version 7 whenever it compresses).
        Assert.Equal((byte)version[0], File.ReadAllBytes(output)[10]);
        return output;
    }

    /// <summary><c>trace-cmd report -t</c> (nanosecond timestamps), with its plugins or without (<c>-N</c>).</summary>
    private static string Report(string dat, string dir, bool plugins = true)
    {
        var (exit, text, err) = plugins ? Exec("report", "-t", "-i", dat) : Exec("report", "-N", "-t", "-i", dat);
        Assert.True(exit == 0, $"trace-cmd report failed: {err}");
        var path = Path.Combine(dir, Path.GetFileNameWithoutExtension(dat) + (plugins ? ".report.txt" : ".report-N.txt"));
        File.WriteAllText(path, text);
        return path;
    }

    public static TheoryData<string> Forms => new() { "original", "v6", "v7-none", "v7-zlib", "v7-zstd" };

    [SkippableTheory]
    [MemberData(nameof(Forms))]
    public void Trace_dat_gives_the_events_of_its_trace_cmd_report_record_by_record(string form)
    {
        var dir = Directory.CreateTempSubdirectory("tracefx-dat-").FullName;
        try
        {
            var dat = Form(form, dir);
            AssertSameAsReport(dat, dir);
            // The same findings, and the events are cited as records of the binary input.
            Assert.Equal(Analyze.Files(Report(dat, dir)).Select(Analyze.Signature), Analyze.Files(dat).Select(Analyze.Signature));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>The events of <paramref name="dat"/> read directly equal those of its trace-cmd report text, one by one.</summary>
    private static void AssertSameAsReport(string dat, string dir)
    {
        var (binary, fromDat) = Run.Files(dat);
        // The payloads as the events' print formats print them (-N: no plugins; libtraceevent's sched_switch plugin
        // prints prev_state from an old letter table: the kernel's I (idle, 0x80) comes out as W). The stacks as
        // the plugins print them (-N prints the first frame on the kernel_stack line).
        var (text, fromText) = Run.Files(Report(dat, dir, plugins: false));
        var (withPlugins, fromPlugins) = Run.Files(Report(dat, dir));
        Assert.Equal(fromPlugins.Count, fromDat.Count);
        Assert.Equal(TraceFormat.TraceDat, binary.Inputs[0].Format);
        Assert.Equal(TraceFormat.TraceCmd, text.Inputs[0].Format);
        Assert.Equal(text.Tables.Diagnostics.Kept.Select(d => (d.Code, d.Message)), binary.Tables.Diagnostics.Kept.Select(d => (d.Code, d.Message)));
        Assert.Equal(text.Inputs[0].LostEvents, binary.Inputs[0].LostEvents);
        Assert.True(fromDat.Count > 1500, $"{fromDat.Count} events");
        Assert.Equal(fromText.Count, fromDat.Count);
        for (int i = 0; i < fromDat.Count; i++)
        {
            TraceEvent d = fromDat[i], t = fromText[i];
            string at = $"event {i}: {t}";
            Assert.True(t.TimestampNs == d.TimestampNs, at + $" time {d.TimestampNs}");
            Assert.True(t.Cpu == d.Cpu, at + $" cpu {d.Cpu}");
            Assert.True(t.Pid == d.Pid, at + $" pid {d.Pid}");
            Assert.True(t.Comm == d.Comm, at + $" comm {d.Comm}");
            Assert.True(t.Name == d.Name, at + $" name {d.Name}");
            Assert.True(t.Kind == d.Kind, at + $" kind {d.Kind}");
            Assert.True(t.Payload.Equals(d.Payload), at + " payload differs");
            Assert.Equal(string.Join("\n", withPlugins.Tables.Stacks.Get(fromPlugins[i].StackId)), string.Join("\n", binary.Tables.Stacks.Get(d.StackId)));
        }
        Assert.Equal(withPlugins.Inputs[0].Stacks, binary.Inputs[0].Stacks);
        Assert.True(binary.Inputs[0].Stacks >= 15);
        Assert.All(fromDat, e => Assert.True(e.Source.Line > 0 && e.Source.ByteOffset > 0));
        Assert.Equal(fromDat.Count, fromDat.Select(e => e.Source.Line).Distinct().Count());
    }

    /// <summary>Lost-event marks: the commit word of two pages of the version-6 form gets the ring buffer's flags
    /// (kernel/trace/ring_buffer.c RB_MISSED_EVENTS, bit 31, and RB_MISSED_STORED, bit 30, with the count stored after the
    /// data; one page with the count, one without), and trace-cmd report's "CPU:0 [1234 EVENTS DROPPED]" and
    /// "CPU:0 [EVENTS DROPPED]" match what the reader makes of them.</summary>
    [SkippableFact]
    public void Lost_events_marked_in_the_pages_match_trace_cmd_report()
    {
        var dir = Directory.CreateTempSubdirectory("tracefx-dat-").FullName;
        try
        {
            var bytes = File.ReadAllBytes(Form("v6", dir));
            // Version 6: the "flyrecord\0" label, then per CPU u64 offset, u64 size (trace-cmd.dat.v6.5).
            int fly = bytes.AsSpan().IndexOf("flyrecord\0"u8) + 10;
            long offset = BitConverter.ToInt64(bytes, fly), size = BitConverter.ToInt64(bytes, fly + 8);
            int stored = -1, unknown = -1;
            for (int page = 1; page < size / 4096 && (stored < 0 || unknown < 0); page++)
            {
                int at = (int)(offset + page * 4096L);
                ulong commit = BitConverter.ToUInt64(bytes, at + 8);
                int length = (int)(commit & ((1 << 27) - 1));
                if (stored < 0 && length > 0 && length + 8 <= 4096 - 16)
                {
                    BitConverter.TryWriteBytes(bytes.AsSpan(at + 8), commit | 1UL << 31 | 1UL << 30);
                    BitConverter.TryWriteBytes(bytes.AsSpan(at + 16 + length), 1234L);
                    stored = page;
                }
                else if (unknown < 0 && length > 0)
                {
                    BitConverter.TryWriteBytes(bytes.AsSpan(at + 8), commit | 1UL << 31);
                    unknown = page;
                }
            }
            Assert.True(stored > 0 && unknown > 0, "no pages to mark");
            var dat = Path.Combine(dir, "lost.dat");
            File.WriteAllBytes(dat, bytes);
            AssertSameAsReport(dat, dir);
            var (session, events) = Run.Files(dat);
            Assert.Equal(1234, session.Inputs[0].LostEvents);
            Assert.Equal(2, events.Count(e => e.Kind == EventKind.TraceGap));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>A trace.dat that cannot be read at offsets (a pipe: held in memory) and the same file read at offsets (its
    /// CPUs' pages as the reading reaches them, compressed chunks one at a time) give the same events.</summary>
    [SkippableTheory]
    [InlineData("v6")]
    [InlineData("v7-zstd")]
    public void Trace_dat_read_from_a_stream_gives_the_events_read_from_its_file(string form)
    {
        var dir = Directory.CreateTempSubdirectory("tracefx-dat-").FullName;
        try
        {
            var dat = Form(form, dir);
            var (file, fromFile) = Run.Files(dat);
            var (stream, fromStream) = Run.Bytes(File.ReadAllBytes(dat));
            Assert.True(fromFile.Count > 1500);
            Assert.Equal(fromFile.Count, fromStream.Count);
            for (int i = 0; i < fromFile.Count; i++)
            {
                TraceEvent a = fromFile[i], b = fromStream[i];
                Assert.True(a.TimestampNs == b.TimestampNs && a.Pid == b.Pid && a.Kind == b.Kind && a.Source.Line == b.Source.Line
                    && a.Source.ByteOffset == b.Source.ByteOffset && a.Payload.Equals(b.Payload), $"event {i}: {a} / {b}");
                Assert.Equal(string.Join("\n", file.Tables.Stacks.Get(a.StackId)), string.Join("\n", stream.Tables.Stacks.Get(b.StackId)));
            }
            Assert.Equal(file.Inputs[0].Bytes, stream.Inputs[0].Bytes);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [SkippableFact]
    public void Evidence_shows_a_record_as_trace_cmd_report_prints_it_with_its_place_in_the_ring_buffer()
    {
        var path = Path.Combine(Require.RealTraces(), Capture);
        var (session, events) = Run.Files(path);
        var first = events[0];
        var wait = events.First(e => e.Kind == EventKind.WritebackWait);
        var lines = TraceForensics.Cli.Reports.EvidenceLines.Fetch(session.Inputs,
            [new(0, first.Source.Line, first.TimestampNs), new(0, wait.Source.Line, wait.TimestampNs)]);
        // The first record of the capture (trace-cmd report -N: "bash-4238 [001] 408.429792594: sched_switch: prev_comm=bash ...").
        var text = lines[(0, first.Source.Line)];
        Assert.StartsWith("bash-4238 [001] 408.429792594: sched_switch: prev_comm=bash prev_pid=4238 prev_prio=120 prev_state=S ==> next_comm=bash next_pid=4256", text);
        Assert.EndsWith("[cpu 1 page 0 offset 16]", text); // the first event of cpu 1's first page, after the page header
        Assert.Matches(@"^\S+-\d+ \[\d{3}\] 408\.\d{9}: folio_wait_writeback: bdi \d+:\d+: ino=\d+ index=\d+ \[cpu \d page \d+ offset \d+\]$",
            lines[(0, wait.Source.Line)]);
    }

    [SkippableFact]
    public void Cut_or_corrupted_trace_dat_gives_diagnostics_and_no_crash()
    {
        var dir = Directory.CreateTempSubdirectory("tracefx-dat-").FullName;
        try
        {
            foreach (var form in new[] { "v6", "v7-zstd" })
            {
                var bytes = File.ReadAllBytes(Form(form, dir));
                // Cut inside the header, the metadata, and the per-CPU data.
                foreach (int cut in new[] { 12, 600, bytes.Length / 2, bytes.Length - 3000 })
                {
                    var (session, _) = Run.Bytes(bytes[..cut]);
                    var errors = session.Tables.Diagnostics.Kept.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
                    Assert.True(errors.Count > 0, $"{form} cut at {cut}: no diagnostic");
                    Assert.All(errors, d => Assert.Equal("test", d.Path));
                }
                // Bytes overwritten in the ring-buffer pages: read on, with diagnostics for what cannot be read.
                var rng = new Random(15);
                for (int round = 0; round < 40; round++)
                {
                    var bad = (byte[])bytes.Clone();
                    // The metadata's tail (kallsyms, cmdlines, options) in even rounds, the ring-buffer pages in odd ones.
                    int from = round % 2 == 0 ? bad.Length * 3 / 4 : bad.Length - 40_000;
                    for (int k = 0; k < 64; k++) bad[from + rng.Next(bad.Length - from)] = (byte)rng.Next(256);
                    var (session, events) = Run.Bytes(bad);
                    Assert.True(events.Count > 0 || session.Tables.Diagnostics.Kept.Count > 0);
                }
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
