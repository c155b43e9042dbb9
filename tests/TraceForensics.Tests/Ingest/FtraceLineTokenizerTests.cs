using System.Text;
using TraceForensics.Ingest.Formats;

namespace TraceForensics.Tests.Ingest;

public class FtraceLineTokenizerTests
{
    private static (RecordKind Kind, string Comm, int Pid, int Tgid, int Cpu, long Ts, string Flags, string Event, string Payload) Tok(string line)
    {
        var r = new RawRecord();
        FtraceLineTokenizer.Tokenize(Encoding.UTF8.GetBytes(line), ref r);
        return (r.Kind, Encoding.UTF8.GetString(r.Comm), r.Pid, r.Tgid, r.Cpu, r.TimestampNs,
                Encoding.UTF8.GetString(r.Flags), Encoding.UTF8.GetString(r.Event), Encoding.UTF8.GetString(r.Payload));
    }

    [Fact]
    public void Five_char_flags_and_plain_comm()
    {
        var t = Tok("              dd-3685    [000] d..2.   338.777810: sched_switch: prev_comm=dd prev_pid=3685 prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120");
        Assert.Equal(RecordKind.Event, t.Kind);
        Assert.Equal("dd", t.Comm);
        Assert.Equal(3685, t.Pid);
        Assert.Equal(-1, t.Tgid);
        Assert.Equal(0, t.Cpu);
        Assert.Equal(338_777_810_000L, t.Ts);
        Assert.Equal("d..2.", t.Flags);
        Assert.Equal("sched_switch", t.Event);
        Assert.StartsWith("prev_comm=dd ", t.Payload);
    }

    [Theory]
    [InlineData("    kworker/u8:4-3693    [001] ...1.   370.792051: contention_begin: 0000000050c5a201 (flags=READ|PERCPU)", "kworker/u8:4", 3693, -1, "...1.")]
    [InlineData("  Binder:1234_5-678   [002] d..2  50.000001: sched_waking: comm=x pid=1 prio=120 target_cpu=000", "Binder:1234_5", 678, -1, "d..2")]
    [InlineData("           <...>-6143  ( 6136) [005] d..2    50.278987: sched_blocked_reason: pid=6136 iowait=0 caller=SyS_mprotect+0x88/0x208", "<...>", 6143, 6136, "d..2")]
    [InlineData("          <idle>-0     (-----) [006] ....    10.258854: sched_switch: prev_comm=swapper/6 prev_pid=0 prev_prio=120 prev_state=D ==> next_comm=foo next_pid=269 next_prio=130", "<idle>", 0, -1, "....")]
    [InlineData("      my task-name-77   [003]   12.5: block_plug: [my task-name]", "my task-name", 77, -1, "")]
    [InlineData("              dd-4256  [001]   408.433821: sched_switch:         dd:4256 [120] D ==> kworker/u8:1:33 [120]", "dd", 4256, -1, "")]
    public void Comms_tgids_and_flags(string line, string comm, int pid, int tgid, string flags)
    {
        var t = Tok(line);
        Assert.Equal(RecordKind.Event, t.Kind);
        Assert.Equal(comm, t.Comm);
        Assert.Equal(pid, t.Pid);
        Assert.Equal(tgid, t.Tgid);
        Assert.Equal(flags, t.Flags);
    }

    [Theory]
    [InlineData("CPU:1 [LOST 1234 EVENTS]", RecordKind.LostEvents)]
    [InlineData("CPU:1 [1234 EVENTS DROPPED]", RecordKind.LostEvents)] // trace-cmd report
    [InlineData("CPU:1 [EVENTS DROPPED]", RecordKind.LostEvents)]      // trace-cmd report, the count not kept: -1
    [InlineData("CPU:1 [many EVENTS DROPPED]", RecordKind.Unrecognized)]
    [InlineData("##### CPU 1 buffer started ####", RecordKind.BufferStarted)]
    [InlineData("# entries-in-buffer/entries-written: 5605/9000   #P:2", RecordKind.BufferEntries)]
    [InlineData("#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION", RecordKind.Header)]
    [InlineData("cpus=2", RecordKind.Header)]
    [InlineData(" => folio_wait_bit_common", RecordKind.StackFrame)]
    [InlineData("=> __schedule (ffffffff82265ec8)", RecordKind.StackFrame)]
    [InlineData("              dd-3685    [000] d..2.   338.777869: <stack trace>", RecordKind.StackStart)]
    [InlineData("              dd-4256  [001]   408.433856: kernel_stack:         <stack trace >", RecordKind.StackStart)]
    [InlineData("", RecordKind.Blank)]
    [InlineData("this is prose, not a trace line", RecordKind.Unrecognized)]
    public void Markers_headers_and_stacks(string line, RecordKind kind)
    {
        var r = new RawRecord();
        FtraceLineTokenizer.Tokenize(Encoding.UTF8.GetBytes(line), ref r);
        Assert.Equal(kind, r.Kind);
        if (kind == RecordKind.LostEvents) { Assert.Equal(line.Contains("1234") ? 1234 : -1, r.Count); Assert.Equal(1, r.Cpu); }
        if (kind == RecordKind.BufferEntries) { Assert.Equal(5605, r.Count); Assert.Equal(9000, r.Count2); }
        if (kind == RecordKind.StackFrame) Assert.True(r.Frame.SequenceEqual("folio_wait_bit_common"u8) || r.Frame.SequenceEqual("__schedule"u8));
    }
}
