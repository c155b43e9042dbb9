using System.Text;
using FsCheck.Xunit;
using TraceForensics.Ingest.Formats;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Robustness;

/// <summary>Real trace lines, randomly damaged: reading never throws, never makes more events than lines, and
/// every diagnostic points at a line of the input.</summary>
public class MutationPropertyTests
{
    private const int Cases = 300;

    /// <summary>The lines of a real capture, or a few real lines copied from it when ../shared is absent.</summary>
    private sealed class Sample(string file, string[] fallback)
    {
        private readonly Lazy<string[]> _lines = new(() =>
            TestPaths.RealTraces is { } dir && File.Exists(Path.Combine(dir, file))
                ? File.ReadAllLines(Path.Combine(dir, file))
                : fallback);

        public string[] Lines => _lines.Value;
    }

    private static readonly Sample Ftrace = new("xfs-fsync.ftrace.txt",
    [
        "# tracer: nop",
        "#",
        "# entries-in-buffer/entries-written: 2531/2531   #P:2",
        "     ksoftirqd/1-22      [001] d..2.   338.777135: sched_switch: prev_comm=ksoftirqd/1 prev_pid=22 prev_prio=120 prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120",
        "              dd-3685    [000] d..2.   338.777210: <stack trace>",
        " => trace_event_raw_event_sched_switch",
        " => __schedule",
        " => io_schedule",
        " => folio_wait_bit_common",
        "              dd-3685    [000] d..2.   338.777810: sched_switch: prev_comm=dd prev_pid=3685 prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120",
    ]);

    private static readonly Sample TraceCmd = new("xfs-fsync.trace-cmd-report.txt",
    [
        "cpus=2",
        "            bash-4238  [001]   408.429793: sched_switch:         bash:4238 [120] S ==> bash:4256 [120]",
        "              dd-4256  [001]   408.430995: mm_filemap_fault:     dev=254:0 ino=3c64c ofs=86016",
        "              dd-4256  [001]   408.433856: kernel_stack:         <stack trace >",
        "=> xfs_btree_read_buf_block (ffffffff818e53dc)",
        "=> xfs_btree_lookup_get_block (ffffffff818e907f)",
        "    kworker/u8:1-33    [001]   408.433871: sched_waking:         comm=ksoftirqd/1 pid=22 prio=120 target_cpu=001",
        "     ksoftirqd/1-22    [001]   408.433877: block_rq_complete:    7,0 RM () 32 + 8 0x2,0,4 [0]",
    ]);

    private static readonly Sample Perf = new("xfs-fsync.perf-script.txt",
    [
        "perf  4124 [000]   392.336511:                     sched:sched_waking: comm=migration/0 pid=18 prio=0 target_cpu=000",
        "\tffffffff813b4986 try_to_wake_up+0x3b6 ([kernel.kallsyms])",
        "\tffffffff814755b9 cpu_stop_queue_work+0xd9 ([kernel.kallsyms])",
        "\t          146f7c [unknown] (/usr/bin/perf)",
        "",
        "migration/0    18 [000]   392.336630:                     sched:sched_waking: comm=perf pid=4124 prio=120 target_cpu=000",
        "\tffffffff813b4986 try_to_wake_up+0x3b6 ([kernel.kallsyms])",
        "",
        "       perf-exec  4125 [001]   392.338321:                  block:block_bio_queue: 254,0 RA 10224672 + 8 [perf-exec]",
    ]);

    private static readonly Sample Dmesg = new("xfs-frozen-backing-stall.dmesg.txt",
    [
        "[  376.749647] INFO: task kworker/u8:4:3693 blocked for more than 3 seconds.",
        "[  376.751724]       Not tainted 6.18.44-fc-v782 #1",
        "[  376.761339] Call Trace:",
        "[  376.761342]  <TASK>",
        "[  376.761361]  __schedule+0x3dc/0xf60",
        "[  376.761399]  schedule+0x23/0xa0",
        "[  376.761410]  ? __pfx_wake_page_function+0x10/0x10",
        "[  376.761416]  folio_wait_writeback+0x2a/0x90",
    ]);

    private static readonly byte[] Interesting = [0x00, 0xFF, (byte)'\n', (byte)':', (byte)'[', (byte)']', (byte)'-', (byte)' ', (byte)'\t', (byte)'\r', (byte)'0', (byte)'1', (byte)'5', (byte)'9', (byte)'.', (byte)'(', (byte)')', (byte)'=', (byte)'>', (byte)'<', 0xC3, 0x80];

    /// <summary>A window of up to 60 consecutive real lines, then 1-8 random mutations.</summary>
    private static byte[] Mutate(string[] lines, int seed)
    {
        var rnd = new Random(seed);
        int start = rnd.Next(Math.Max(1, lines.Length - 1));
        int count = Math.Min(lines.Length - start, rnd.Next(1, 61));
        var bytes = new List<byte>(Encoding.UTF8.GetBytes(string.Join("\n", lines.Skip(start).Take(count)) + "\n"));
        int mutations = rnd.Next(1, 9);
        for (int m = 0; m < mutations && bytes.Count > 0; m++)
        {
            int at = rnd.Next(bytes.Count);
            switch (rnd.Next(6))
            {
                case 0: bytes[at] ^= (byte)(1 << rnd.Next(8)); break;                           // bit flip
                case 1: bytes.RemoveRange(at, bytes.Count - at); break;                          // truncation
                case 2: bytes.RemoveRange(at, Math.Min(rnd.Next(1, 20), bytes.Count - at)); break; // deletion
                case 3:                                                                          // duplication
                    int len = Math.Min(rnd.Next(1, 200), bytes.Count - at);
                    bytes.InsertRange(at, bytes.GetRange(at, len));
                    break;
                case 4: bytes.Insert(at, Interesting[rnd.Next(Interesting.Length)]); break;      // special byte
                default: bytes.Insert(at, (byte)rnd.Next(256)); break;                            // random byte
            }
        }
        return bytes.ToArray();
    }

    private static long LineCount(byte[] bytes)
    {
        long n = bytes.Count(b => b == (byte)'\n');
        return bytes.Length > 0 && bytes[^1] != (byte)'\n' ? n + 1 : n;
    }

    private static void AssertSane(byte[] bytes, TraceFormat format)
    {
        long lines = LineCount(bytes);
        var (session, events) = Run.Bytes(bytes, format); // must not throw
        Assert.True(events.Count <= lines, $"{events.Count} events from {lines} lines");
        Assert.Equal(events.Count, session.Inputs.Sum(i => i.Events));
        foreach (var d in session.Tables.Diagnostics.Kept)
            Assert.True(d.Line >= 0 && d.Line <= lines, $"diagnostic at line {d.Line} of {lines}: {d}");
        Assert.All(events, e => Assert.InRange(e.Source.Line, 1, lines));
    }

    private static void Check(Sample sample, TraceFormat format, int seed)
    {
        var bytes = Mutate(sample.Lines, seed);
        AssertSane(bytes, TraceFormat.Unknown); // detected
        AssertSane(bytes, format);              // forced: the format's own tokenizer sees every damaged line
    }

    [Property(MaxTest = Cases)]
    public void Mutated_ftrace_is_read_safely(int seed) => Check(Ftrace, TraceFormat.Ftrace, seed);

    [Property(MaxTest = Cases)]
    public void Mutated_trace_cmd_report_is_read_safely(int seed) => Check(TraceCmd, TraceFormat.TraceCmd, seed);

    [Property(MaxTest = Cases)]
    public void Mutated_perf_script_is_read_safely(int seed) => Check(Perf, TraceFormat.PerfScript, seed);

    [Property(MaxTest = Cases)]
    public void Mutated_dmesg_is_read_safely(int seed) => Check(Dmesg, TraceFormat.Dmesg, seed);

    [Property(MaxTest = 2000)]
    public void Tokenizers_never_throw_on_arbitrary_bytes(byte[] bytes)
    {
        bytes ??= [];
        var r = new RawRecord();
        FtraceLineTokenizer.Tokenize(bytes, ref r);
        Assert.True(Enum.IsDefined(r.Kind));
        PerfScriptLineTokenizer.Tokenize(bytes, ref r);
        Assert.True(Enum.IsDefined(r.Kind));
        new KernelLogTokenizer().Tokenize(bytes, ref r);
        Assert.True(Enum.IsDefined(r.Kind));
        FormatDetector.Detect(bytes);
    }

    [Property(MaxTest = 2000)]
    public void Tokenizers_never_throw_on_trace_shaped_bytes(int seed)
    {
        // Arbitrary bytes rarely reach the deep parsing paths; bytes drawn mostly from the trace alphabet do.
        var rnd = new Random(seed);
        var bytes = new byte[rnd.Next(0, 120)];
        for (int i = 0; i < bytes.Length; i++)
            bytes[i] = rnd.Next(4) == 0 ? (byte)rnd.Next(256) : Interesting[rnd.Next(Interesting.Length)];
        var r = new RawRecord();
        FtraceLineTokenizer.Tokenize(bytes, ref r);
        PerfScriptLineTokenizer.Tokenize(bytes, ref r);
        new KernelLogTokenizer().Tokenize(bytes, ref r);
        FormatDetector.Detect(bytes);
    }

    private static readonly string[] KernelLogFragments =
    [
        "INFO: task ", " blocked for more than ", " can't die for more than ", " blocked in I/O wait for more than ",
        " is blocked on a mutex likely owned by task ", " blocked on an rw-semaphore likely owned by task ", " seconds.",
        "kworker/u8:4", ":", "3693", "/", "Call Trace:", "Call trace:", " <TASK>", " </TASK>", " ? ", "__schedule+0x3dc/0xf60",
        "[<ffffffff82a9df9c>] ", "(__schedule) from ", "task:dd state:D stack:0 pid:4005 tgid:4005 ppid:3954", "Workqueue: ",
        "Showing all locks held in the system:", "2 locks held by ", " #0: ffff888012345678 (", "&type->s_umount_key", "){+.+.}-{3:3}, at: ",
        "WARNING: possible circular locking dependency detected", " is trying to acquire lock:", "but task is already holding lock:",
        "-> #1 (", "other info that might help us debug this:", "DEPT: Circular dependency has been detected.", "[S] (unknown)(",
        "[W] ", "pg_locked_map:0)", "Kernel panic - not syncing: hung_task", "[  376.749647] ", "[ 1052.080846][   T41] ", "<4>[1.0] ", " ", "\u00ff",
    ];

    [Property(MaxTest = 3000)]
    public void Kernel_log_reader_never_throws_on_report_shaped_lines(int seed)
    {
        // Lines stitched from the pieces of hung-task, held-locks, lockdep and DEPT reports, in any order: the stateful
        // reader must survive every half-report and every out-of-place line.
        var rnd = new Random(seed);
        var text = new System.Text.StringBuilder();
        for (int line = rnd.Next(1, 12); line > 0; line--)
        {
            for (int piece = rnd.Next(1, 6); piece > 0; piece--) text.Append(KernelLogFragments[rnd.Next(KernelLogFragments.Length)]);
            text.Append('\n');
        }
        var bytes = System.Text.Encoding.UTF8.GetBytes(text.ToString());
        AssertSane(bytes, TraceFormat.Dmesg);
        _ = Analyze.Text(System.Text.Encoding.UTF8.GetString(bytes), TraceFormat.Dmesg);
        FormatDetector.Detect(bytes);
    }
}
