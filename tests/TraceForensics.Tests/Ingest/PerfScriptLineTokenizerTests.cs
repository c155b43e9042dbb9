using System.Text;
using TraceForensics.Ingest.Formats;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Ingest;

public class PerfScriptLineTokenizerTests
{
    private static (RecordKind Kind, string Comm, int Pid, int Tgid, int Cpu, long Ts, string Subsystem, string Event, string Payload, string Frame) Tok(string line)
    {
        var r = new RawRecord();
        PerfScriptLineTokenizer.Tokenize(Encoding.UTF8.GetBytes(line), ref r);
        return (r.Kind, Encoding.UTF8.GetString(r.Comm), r.Pid, r.Tgid, r.Cpu, r.TimestampNs, Encoding.UTF8.GetString(r.Subsystem),
                Encoding.UTF8.GetString(r.Event), Encoding.UTF8.GetString(r.Payload), Encoding.UTF8.GetString(r.Frame));
    }

    [Fact]
    public void Default_event_line_with_subsystem()
    {
        // xfs-fsync.perf-script.txt
        var t = Tok("perf  4124 [000]   392.336613:                     sched:sched_switch: prev_comm=perf prev_pid=4124 prev_prio=120 prev_state=D ==> next_comm=migration/0 next_pid=18 next_prio=0");
        Assert.Equal(RecordKind.Event, t.Kind);
        Assert.Equal("perf", t.Comm);
        Assert.Equal(4124, t.Pid);
        Assert.Equal(-1, t.Tgid);
        Assert.Equal(0, t.Cpu);
        Assert.Equal(392_336_613_000L, t.Ts);
        Assert.Equal("sched", t.Subsystem);
        Assert.Equal("sched_switch", t.Event);
        Assert.Equal("prev_comm=perf prev_pid=4124 prev_prio=120 prev_state=D ==> next_comm=migration/0 next_pid=18 next_prio=0", t.Payload);
    }

    [Theory]
    // xfs-fsync.perf-script-nostack.txt (-F comm,tid,cpu,time,event,trace)
    [InlineData("     migration/0    18 [000]   392.336630:                     sched:sched_waking: comm=perf pid=4124 prio=120 target_cpu=000",
                "migration/0", 18, 0, 392_336_630_000L, "sched", "sched_waking", "comm=perf pid=4124 prio=120 target_cpu=000")]
    [InlineData("       perf-exec  4125 [000]   392.337749:   filemap:mm_filemap_add_to_page_cache: dev 0:3 ino fe00000 pfn=0x12e372 ofs=6947012608 order=0",
                "perf-exec", 4125, 0, 392_337_749_000L, "filemap", "mm_filemap_add_to_page_cache", "dev 0:3 ino fe00000 pfn=0x12e372 ofs=6947012608 order=0")]
    [InlineData("       perf-exec  4125 [000]   392.337848:                     block:block_unplug: [perf-exec] 1",
                "perf-exec", 4125, 0, 392_337_848_000L, "block", "block_unplug", "[perf-exec] 1")]
    [InlineData("              dd  4125 [001]   392.400168:               iomap:iomap_add_to_ioend: dev 7:0 ino 0x83 bdev 7:0 pos 0x100000 dirty len 0x100000 addr 0x18000 offset 0x0 length 0x3ff0000 type UNWRITTEN (0x3) flags DIRTY (0x2)",
                "dd", 4125, 1, 392_400_168_000L, "iomap", "iomap_add_to_ioend", "dev 7:0 ino 0x83 bdev 7:0 pos 0x100000 dirty len 0x100000 addr 0x18000 offset 0x0 length 0x3ff0000 type UNWRITTEN (0x3) flags DIRTY (0x2)")]
    [InlineData("         swapper     0 [000]   392.337131:                     sched:sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=perf-exec next_pid=4125 next_prio=120",
                "swapper", 0, 0, 392_337_131_000L, "sched", "sched_switch", "prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=perf-exec next_pid=4125 next_prio=120")]
    public void Nostack_lines(string line, string comm, int pid, int cpu, long ts, string subsystem, string name, string payload)
    {
        var t = Tok(line);
        Assert.Equal(RecordKind.Event, t.Kind);
        Assert.Equal(comm, t.Comm);
        Assert.Equal(pid, t.Pid);
        Assert.Equal(-1, t.Tgid);
        Assert.Equal(cpu, t.Cpu);
        Assert.Equal(ts, t.Ts);
        Assert.Equal(subsystem, t.Subsystem);
        Assert.Equal(name, t.Event);
        Assert.Equal(payload, t.Payload);
    }

    [Theory]
    [InlineData("\tffffffff82265ec8 __schedule+0x628 ([kernel.kallsyms])", "__schedule")]
    [InlineData("\tffffffff813b4986 try_to_wake_up+0x3b6 ([kernel.kallsyms])", "try_to_wake_up")]
    [InlineData("\t           ee137 sched_setaffinity@@GLIBC_2.3.4+0x7 (/usr/lib/x86_64-linux-gnu/libc.so.6)", "sched_setaffinity@@GLIBC_2.3.4")]
    [InlineData("\t          146f7c [unknown] (/usr/bin/perf)", "[unknown]")]
    [InlineData("\tffffffff81000130 entry_SYSCALL_64_after_hwframe+0x76 ([kernel.kallsyms])", "entry_SYSCALL_64_after_hwframe")]
    public void Callchain_frames_drop_offset_and_dso(string line, string frame)
    {
        var t = Tok(line);
        Assert.Equal(RecordKind.StackFrame, t.Kind);
        Assert.Equal(frame, t.Frame);
    }

    [Theory]
    [InlineData("\tnot a frame at all")]
    [InlineData("\t")]
    public void Tab_lines_that_are_not_frames(string line)
    {
        var r = new RawRecord();
        PerfScriptLineTokenizer.Tokenize(Encoding.UTF8.GetBytes(line), ref r);
        // A lone tab is blank (ends a callchain); anything else indented must be a frame.
        if (line.Trim().Length == 0) Assert.Equal(RecordKind.Blank, r.Kind);
        else
        {
            Assert.Equal(RecordKind.Unrecognized, r.Kind);
            Assert.NotNull(r.Problem);
        }
    }

    [Fact]
    public void Blank_line_ends_a_callchain_and_hash_lines_are_headers()
    {
        var r = new RawRecord();
        PerfScriptLineTokenizer.Tokenize(""u8, ref r);
        Assert.Equal(RecordKind.Blank, r.Kind);
        PerfScriptLineTokenizer.Tokenize("# ========"u8, ref r);
        Assert.Equal(RecordKind.Header, r.Kind);
    }

    [Fact]
    public void Pid_slash_tid_is_tgid_and_task()
    {
        var t = Tok("              dd  4120/4125  [001]   392.340723:               filemap:mm_filemap_fault: dev=254:0 ino=3c64c ofs=86016");
        Assert.Equal(RecordKind.Event, t.Kind);
        Assert.Equal("dd", t.Comm);
        Assert.Equal(4120, t.Tgid);
        Assert.Equal(4125, t.Pid);
        Assert.Equal(1, t.Cpu);
        Assert.Equal("mm_filemap_fault", t.Event);
    }

    [Fact]
    public void Period_column_before_the_event()
    {
        // perf record -e cpu-clock; perf script (no cpu column, a period, an event without payload)
        var t = Tok("dd 29776 666709.771979:   10101010 cpu-clock: ");
        Assert.Equal(RecordKind.Event, t.Kind);
        Assert.Equal("dd", t.Comm);
        Assert.Equal(29776, t.Pid);
        Assert.Equal(-1, t.Cpu);
        Assert.Equal(666709_771_979_000L, t.Ts);
        Assert.Equal("", t.Subsystem);
        Assert.Equal("cpu-clock", t.Event);
        Assert.Equal("", t.Payload);
    }

    [Fact]
    public void Period_column_with_a_tracepoint()
    {
        var t = Tok("            perf  4124 [000]   392.336511:          1 sched:sched_waking: comm=migration/0 pid=18 prio=0 target_cpu=000");
        Assert.Equal(RecordKind.Event, t.Kind);
        Assert.Equal("sched", t.Subsystem);
        Assert.Equal("sched_waking", t.Event);
        Assert.StartsWith("comm=migration/0 ", t.Payload);
    }

    [Theory]
    [InlineData("     Web Content  2231 [003]   100.000001: sched:sched_waking: comm=x pid=1 prio=120 target_cpu=000", "Web Content", 2231)]
    [InlineData("  DOM Worker 2  77/78 [000]   100.5: sched:sched_waking: comm=x pid=1 prio=120 target_cpu=000", "DOM Worker 2", 78)]
    [InlineData("kworker/u8:1-ex    33 [000]   392.400000: writeback:folio_wait_writeback: bdi 254:0: ino=827427 index=32", "kworker/u8:1-ex", 33)]
    public void Comm_with_spaces_or_punctuation(string line, string comm, int pid)
    {
        var t = Tok(line);
        Assert.Equal(RecordKind.Event, t.Kind);
        Assert.Equal(comm, t.Comm);
        Assert.Equal(pid, t.Pid);
    }

    [Theory]
    [InlineData("              dd  4125 [001]   392.400100:        probe:__folio_lock: (ffffffff814a2b30) folio=0xffffea0004a1b2c0",
                "__folio_lock", "(ffffffff814a2b30) folio=0xffffea0004a1b2c0")]
    [InlineData("              dd  4125 [001]   392.400200: probe:__folio_lock__return: (ffffffff81512345 <- ffffffff814a2b30)",
                "__folio_lock__return", "(ffffffff81512345 <- ffffffff814a2b30)")]
    public void Perf_probe_events(string line, string name, string payload)
    {
        var t = Tok(line);
        Assert.Equal(RecordKind.Event, t.Kind);
        Assert.Equal("probe", t.Subsystem);
        Assert.Equal(name, t.Event);
        Assert.Equal(payload, t.Payload);
    }

    [Theory]
    [InlineData("writeback:folio_wait_writeback", "writeback", "folio_wait_writeback")]
    [InlineData("lock:contention_begin", "lock", "contention_begin")]
    [InlineData("block:block_rq_complete", "block", "block_rq_complete")]
    [InlineData("sched_switch", "", "sched_switch")]
    public void Subsystem_split(string token, string subsystem, string name)
    {
        var t = Tok($"              dd  4125 [001]   392.400100: {token}: x=1");
        Assert.Equal(RecordKind.Event, t.Kind);
        Assert.Equal(subsystem, t.Subsystem);
        Assert.Equal(name, t.Event);
        Assert.Equal("x=1", t.Payload);
    }

    [Theory]
    [InlineData("this is prose, not a trace line")]
    [InlineData("dd 4125 [001] no-time-here: sched:sched_switch: x")]
    [InlineData("dd abc [001] 392.400100: sched:sched_switch: x")]
    [InlineData("dd 4125 [x] 392.400100: sched:sched_switch: x")]
    [InlineData("dd 4125 [001] 392.400100: no event here")]
    public void Unreadable_lines_say_why(string line)
    {
        var r = new RawRecord();
        PerfScriptLineTokenizer.Tokenize(Encoding.UTF8.GetBytes(line), ref r);
        Assert.Equal(RecordKind.Unrecognized, r.Kind);
        Assert.False(string.IsNullOrEmpty(r.Problem));
    }

    [SkippableFact]
    public void Every_line_of_the_real_captures_is_read()
    {
        var dir = Require.RealTraces();
        foreach (var file in new[] { "xfs-fsync.perf-script.txt", "xfs-fsync.perf-script-nostack.txt" })
        {
            int events = 0, frames = 0, unrecognized = 0;
            var r = new RawRecord();
            foreach (var line in File.ReadLines(Path.Combine(dir, file)))
            {
                PerfScriptLineTokenizer.Tokenize(Encoding.UTF8.GetBytes(line), ref r);
                if (r.Kind == RecordKind.Event) events++;
                else if (r.Kind == RecordKind.StackFrame) frames++;
                else if (r.Kind == RecordKind.Unrecognized) unrecognized++;
            }
            Assert.Equal(0, unrecognized);
            Assert.True(events > 2000, $"{file}: {events} events");
            if (file.Contains("nostack")) Assert.Equal(0, frames);
            else Assert.True(frames > events, $"{file}: {frames} frames for {events} events");
        }
    }
}
