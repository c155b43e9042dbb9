using System.Text;
using TraceForensics.Ingest.Formats;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Ingest;

public class KernelLogTokenizerTests
{
    private const string Header = "[  1.000000] INFO: task t:1 blocked for more than 3 seconds.";

    /// <summary>One line through a fresh kernel-log reader, after <paramref name="context"/> lines (a report's header,
    /// its "Call Trace:") that put the reader where the line belongs.</summary>
    private static (RecordKind Kind, string Comm, int Pid, int Cpu, long Ts, string Event, string Payload, string Frame, KernelLogReport? Report) Tok(string line, params string[] context)
    {
        var reader = new KernelLogTokenizer();
        var r = new RawRecord();
        foreach (var c in context) reader.Tokenize(Encoding.UTF8.GetBytes(c), ref r);
        reader.Tokenize(Encoding.UTF8.GetBytes(line), ref r);
        return (r.Kind, Encoding.UTF8.GetString(r.Comm), r.Pid, r.Cpu, r.TimestampNs,
                Encoding.UTF8.GetString(r.Event), Encoding.UTF8.GetString(r.Payload), Encoding.UTF8.GetString(r.Frame), r.Report);
    }

    private static string Strip(string line, out long ts, out bool hasTime) =>
        Encoding.UTF8.GetString(KernelLogPrefix.Strip(Encoding.UTF8.GetBytes(line), out ts, out hasTime));

    [Theory]
    [InlineData("[  376.749647] INFO: task dd:4005 blocked", 376_749_647_000L, true, "INFO: task dd:4005 blocked")]
    [InlineData("[ 1052.080846][   T41] INFO: task dd:4005 blocked", 1052_080_846_000L, true, "INFO: task dd:4005 blocked")]
    [InlineData("[  327.308891][ T1057] Call Trace:", 327_308_891_000L, true, "Call Trace:")]
    [InlineData("[    0.000000][    C0] Linux version 6.18", 0L, true, "Linux version 6.18")]
    [InlineData("<4>[  1.0] INFO: task dd:4005 blocked", 1_000_000_000L, true, "INFO: task dd:4005 blocked")]
    [InlineData("<6>[  376.755698]  __schedule+0x3dc/0xf60", 376_755_698_000L, true, " __schedule+0x3dc/0xf60")]
    [InlineData("INFO: task dd:4005 blocked", 0L, false, "INFO: task dd:4005 blocked")]
    [InlineData("[not a time] text", 0L, false, "[not a time] text")]
    public void Prefixes_are_stripped(string line, long ts, bool hasTime, string text)
    {
        Assert.Equal(text, Strip(line, out long t, out bool h));
        Assert.Equal(hasTime, h);
        Assert.Equal(ts, t);
    }

    [Theory]
    [InlineData("[  376.749647] INFO: task kworker/u8:4:3693 blocked for more than 3 seconds.", "kworker/u8:4", 3693, 376_749_647_000L)]
    [InlineData("[  376.755787] INFO: task dd:4005 blocked for more than 3 seconds.", "dd", 4005, 376_755_787_000L)]
    [InlineData("[  327.568484][ T1057] INFO: task syz-executor.5:10905 blocked for more than 143 seconds.", "syz-executor.5", 10905, 327_568_484_000L)]
    [InlineData("<3>[  1.5] INFO: task jbd2/sda1-8:212 blocked for more than 120 seconds.", "jbd2/sda1-8", 212, 1_500_000_000L)]
    [InlineData("INFO: task my task:77 blocked for more than 120 seconds.", "my task", 77, 0L)]
    public void Hung_task_header_is_an_event(string line, string comm, int pid, long ts)
    {
        var t = Tok(line);
        Assert.Equal(RecordKind.Event, t.Kind);
        Assert.Equal("hung_task", t.Event);
        Assert.Equal(comm, t.Comm);
        Assert.Equal(pid, t.Pid);
        Assert.Equal(-1, t.Cpu);
        Assert.Equal(ts, t.Ts);
        Assert.Equal("", t.Payload); // the facts come typed, not as payload text
        Assert.NotNull(t.Report!.HungSeconds);
    }

    [Theory]
    [InlineData("[  376.749647] INFO: task dd blocked for more than 3 seconds.")]           // no pid
    [InlineData("[  376.749647] INFO: task dd:4005 is blocked")]                             // not the report header
    public void Malformed_hung_task_headers_are_not_events(string line)
    {
        var t = Tok(line);
        Assert.Equal(RecordKind.Header, t.Kind);
        Assert.Equal("", t.Event);
    }

    [Theory]
    [InlineData("[  376.755635] Call Trace:")]
    [InlineData("[  327.344651][ T1057] Call Trace:")]
    [InlineData(" Call Trace:")]
    public void Call_trace_starts_a_stack(string line)
    {
        Assert.Equal(RecordKind.Header, Tok(line).Kind); // a call trace of no hung-task report (NMI backtrace...) is not its stack
        var t = Tok(line, Header);
        Assert.Equal(RecordKind.StackStart, t.Kind);
    }

    [Theory]
    [InlineData("[  376.755698]  __schedule+0x3dc/0xf60", "__schedule")]
    [InlineData("[  376.755728]  lo_rw_aio.isra.0+0x369/0x380", "lo_rw_aio.isra.0")]
    [InlineData("[  327.471473][ T1057]  unregister_netdevice_many.part.0+0x1b/0x1f0", "unregister_netdevice_many.part.0")]
    [InlineData("[  100.000000]  xfs_buf_iowait+0x1c/0xc0 [xfs]", "xfs_buf_iowait")]
    [InlineData("  folio_wait_writeback+0x2a/0x90", "folio_wait_writeback")]
    public void Reliable_frames(string line, string frame)
    {
        var t = Tok(line, Header, "Call Trace:");
        Assert.Equal(RecordKind.StackFrame, t.Kind);
        Assert.Equal(frame, t.Frame);
    }

    [Theory]
    [InlineData("[  376.755720]  ? __pfx_percpu_rwsem_wake_function+0x10/0x10")] // unreliable
    [InlineData("[  376.755637]  <TASK>")]
    [InlineData("[  376.755774]  </TASK>")]
    [InlineData("[  376.755611] Workqueue: loop2 loop_rootcg_workfn")]
    [InlineData("[  376.751724]       Not tainted 6.18.44-fc-v782 #1")]
    [InlineData("[  376.755599] task:kworker/u8:4    state:D stack:0     pid:3693  tgid:3693  ppid:2      task_flags:0x4388060 flags:0x00080000")]
    [InlineData("[  100.000000] RIP: 0010:foo+0x1/0x2")]                        // not indented: a register line, not a frame
    [InlineData("[  100.000000]  #0: ffff8880 (&sb->s_type->i_mutex_key#13){++++}-{4:4}, at: xfs_ilock+0x8e/0x1a0")]
    public void Other_lines_are_text_not_frames(string line)
    {
        var t = Tok(line);
        Assert.Equal(RecordKind.Header, t.Kind);
        Assert.Equal("", t.Frame);
    }

    [Fact]
    public void Unreliable_frames_are_kept_and_marked()
    {
        var t = Tok("[  376.755720]  ? __pfx_percpu_rwsem_wake_function+0x10/0x10", Header, "Call Trace:");
        Assert.Equal(RecordKind.StackFrame, t.Kind);
        Assert.Equal("? __pfx_percpu_rwsem_wake_function", t.Frame);
    }

    [Fact]
    public void Blank_lines()
    {
        Assert.Equal(RecordKind.Blank, Tok("").Kind);
        Assert.Equal(RecordKind.Blank, Tok("   ").Kind);
    }

    [Theory]
    [InlineData("[  376.749647] anything", true)]
    [InlineData("INFO: task dd:4005 blocked for more than 3 seconds.", true)]
    [InlineData("              dd-3685    [000] d..2.   338.777810: sched_switch: prev_comm=dd", false)]
    [InlineData("hello world", false)]
    public void Looks_like_kernel_log(string line, bool expected) =>
        Assert.Equal(expected, KernelLogPrefix.LooksLikeKernelLog(Encoding.UTF8.GetBytes(line)));

    [SkippableFact]
    public void Real_hung_task_log_gives_reports_and_their_frames()
    {
        var dir = Require.RealTraces();
        var r = new RawRecord();
        var reader = new KernelLogTokenizer();
        var hung = new List<(string Comm, int Pid)>();
        int starts = 0, frames = 0, unrecognized = 0;
        foreach (var line in File.ReadLines(Path.Combine(dir, "xfs-frozen-backing-stall.dmesg.txt")))
        {
            reader.Tokenize(Encoding.UTF8.GetBytes(line), ref r);
            switch (r.Kind)
            {
                case RecordKind.Event when r.Event.SequenceEqual("hung_task"u8): hung.Add((Encoding.UTF8.GetString(r.Comm), r.Pid)); break;
                case RecordKind.StackStart: starts++; break;
                case RecordKind.StackFrame:
                    frames++;
                    Assert.DoesNotContain("+0x", Encoding.UTF8.GetString(r.Frame));
                    Assert.DoesNotContain("?", Encoding.UTF8.GetString(r.Frame).TrimStart('?', ' ')); // "? " marks unreliable frames
                    break;
                case RecordKind.Unrecognized: unrecognized++; break;
            }
        }
        Assert.Contains(("kworker/u8:4", 3693), hung);
        Assert.Contains(("dd", 4005), hung);
        Assert.Equal(hung.Count, starts);
        Assert.True(frames >= 10 * starts, $"{frames} frames for {starts} call traces");
        Assert.Equal(0, unrecognized);
    }
}
