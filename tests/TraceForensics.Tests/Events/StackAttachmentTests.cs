using TraceForensics.Events.Model;
using TraceForensics.Ingest.Formats;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Events;

public class StackAttachmentTests
{
    private const string Ftrace =
        "              dd-3685    [000] d..2.   338.777200: sched_switch: prev_comm=bash prev_pid=3685 prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120\n" +
        "     ksoftirqd/1-22      [001] d..2.   338.777205: sched_switch: prev_comm=ksoftirqd/1 prev_pid=22 prev_prio=120 prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120\n" +
        "              dd-3685    [000] d..2.   338.777210: <stack trace>\n" +
        " => trace_event_raw_event_sched_switch\n" +
        " => __traceiter_sched_switch\n" +
        " => __schedule\n" +
        " => schedule\n" +
        " => io_schedule\n" +
        " => folio_wait_bit_common\n" +
        " => filemap_get_pages\n" +
        "          <idle>-0       [000] d..2.   338.777242: sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=bash next_pid=3685 next_prio=120\n";

    private static string[] Frames(TraceForensics.Events.Reading.TraceSession session, int stackId) =>
        session.Tables.Stacks.Get(stackId).ToArray();

    [Fact]
    public void Ftrace_stack_block_attaches_to_the_previous_event_of_its_task_and_cpu()
    {
        var (session, events) = Run.Text(Ftrace);
        Assert.Empty(session.Tables.Diagnostics.Kept);
        Assert.Equal(3, events.Count); // the <stack trace> entry is not an event

        var dd = events[0];
        Assert.Equal(3685, dd.Pid);
        Assert.NotEqual(0, dd.StackId);
        Assert.Equal(["trace_event_raw_event_sched_switch", "__traceiter_sched_switch", "__schedule", "schedule",
                      "io_schedule", "folio_wait_bit_common", "filemap_get_pages"],
                     Frames(session, dd.StackId));

        Assert.Equal(0, events[1].StackId); // the other cpu's event in between
        Assert.Equal(0, events[2].StackId);
        Assert.Equal(1, session.Inputs[0].Stacks);
    }

    [Fact]
    public void Ftrace_stack_does_not_attach_to_the_same_pid_on_another_cpu()
    {
        var (session, events) = Run.Text(
            "              dd-3685    [000] d..2.   338.777200: sched_waking: comm=x pid=1 prio=120 target_cpu=000\n" +
            "              dd-3685    [001] d..2.   338.777205: sched_waking: comm=y pid=2 prio=120 target_cpu=001\n" +
            "              dd-3685    [000] d..2.   338.777210: <stack trace>\n" +
            " => __schedule\n");
        Assert.NotEqual(0, events[0].StackId);
        Assert.Equal(0, events[1].StackId);
        Assert.Equal(["__schedule"], Frames(session, events[0].StackId));
    }

    [Fact]
    public void Trace_cmd_kernel_stack_block()
    {
        // xfs-fsync.trace-cmd-report.txt
        var (session, events) = Run.Text(
            "cpus=2\n" +
            "              dd-4256  [001]   408.433815: sched_waking:         comm=kworker/u8:1 pid=33 prio=120 target_cpu=001\n" +
            "              dd-4256  [001]   408.433821: sched_switch:         dd:4256 [120] D ==> kworker/u8:1:33 [120]\n" +
            "              dd-4256  [001]   408.433856: kernel_stack:         <stack trace >\n" +
            "=> trace_event_raw_event_sched_switch (ffffffff813abff5)\n" +
            "=> __traceiter_sched_switch (ffffffff813a50f1)\n" +
            "=> __schedule (ffffffff82265ec8)\n" +
            "=> schedule (ffffffff82266833)\n" +
            "=> schedule_timeout (ffffffff8226db90)\n" +
            "=> wait_for_completion (ffffffff82267a16)\n" +
            "=> xfs_buf_iowait (ffffffff819307f0)\n" +
            "    kworker/u8:1-33    [001]   408.433900: sched_waking:         comm=dd pid=4256 prio=120 target_cpu=001\n");
        Assert.Equal(TraceFormat.TraceCmd, session.Inputs[0].Format);
        Assert.Empty(session.Tables.Diagnostics.Kept);
        Assert.Equal(3, events.Count);
        Assert.Equal(0, events[0].StackId);
        Assert.Equal(EventKind.SchedSwitch, events[1].Kind);
        Assert.Equal(["trace_event_raw_event_sched_switch", "__traceiter_sched_switch", "__schedule", "schedule",
                      "schedule_timeout", "wait_for_completion", "xfs_buf_iowait"],
                     Frames(session, events[1].StackId));
        Assert.Equal(0, events[2].StackId);
    }

    [Fact]
    public void Perf_callchain_attaches_to_its_event_line()
    {
        // xfs-fsync.perf-script.txt
        var (session, events) = Run.Text(
            "perf  4124 [000]   392.336511:                     sched:sched_waking: comm=migration/0 pid=18 prio=0 target_cpu=000\n" +
            "\tffffffff813b4986 try_to_wake_up+0x3b6 ([kernel.kallsyms])\n" +
            "\tffffffff814755b9 cpu_stop_queue_work+0xd9 ([kernel.kallsyms])\n" +
            "\t          146f7c [unknown] (/usr/bin/perf)\n" +
            "\t           2724a __libc_start_call_main+0x7a (/usr/lib/x86_64-linux-gnu/libc.so.6)\n" +
            "\n" +
            "perf  4124 [000]   392.336613:                     sched:sched_switch: prev_comm=perf prev_pid=4124 prev_prio=120 prev_state=D ==> next_comm=migration/0 next_pid=18 next_prio=0\n" +
            "\tffffffff82265ec8 __schedule+0x628 ([kernel.kallsyms])\n" +
            "\tffffffff82266833 schedule+0x23 ([kernel.kallsyms])\n" +
            "\tffffffff8226db90 schedule_timeout+0x100 ([kernel.kallsyms])\n" +
            "\n" +
            "     migration/0    18 [000]   392.336630:                     sched:sched_waking: comm=perf pid=4124 prio=120 target_cpu=000\n" +
            "\n");
        Assert.Equal(TraceFormat.PerfScript, session.Inputs[0].Format);
        Assert.Empty(session.Tables.Diagnostics.Kept);
        Assert.Equal(3, events.Count);
        Assert.Equal(["try_to_wake_up", "cpu_stop_queue_work", "[unknown]", "__libc_start_call_main"],
                     Frames(session, events[0].StackId));
        Assert.Equal(["__schedule", "schedule", "schedule_timeout"], Frames(session, events[1].StackId));
        Assert.Equal(0, events[2].StackId);
        Assert.Equal(2, session.Inputs[0].Stacks);
    }

    [Fact]
    public void Perf_callchain_at_the_end_of_the_input_without_a_blank_line()
    {
        var (session, events) = Run.Text(
            "perf  4124 [000]   392.336613:                     sched:sched_switch: prev_comm=perf prev_pid=4124 prev_prio=120 prev_state=D ==> next_comm=migration/0 next_pid=18 next_prio=0\n" +
            "\tffffffff82265ec8 __schedule+0x628 ([kernel.kallsyms])\n" +
            "\tffffffff82266833 schedule+0x23 ([kernel.kallsyms])");
        Assert.Equal(["__schedule", "schedule"], Frames(session, Assert.Single(events).StackId));
    }

    [Fact]
    public void Perf_callchain_of_an_event_behind_the_reorder_window_still_attaches()
    {
        // 1.1 s arrives after 1.3 s: it is released at once (200 ms behind the newest), but only after its callchain.
        var (session, events) = Run.Text(
            "perf  1 [000]   1.000000: sched:sched_waking: comm=a pid=1 prio=0 target_cpu=000\n\n" +
            "perf  1 [000]   1.300000: sched:sched_waking: comm=a pid=2 prio=0 target_cpu=000\n\n" +
            "perf  1 [000]   1.100000: sched:sched_waking: comm=a pid=3 prio=0 target_cpu=000\n" +
            "\tffffffff82265ec8 __schedule+0x628 ([kernel.kallsyms])\n" +
            "\tffffffff82266833 schedule+0x23 ([kernel.kallsyms])\n" +
            "\n" +
            "perf  1 [000]   1.310000: sched:sched_waking: comm=a pid=4 prio=0 target_cpu=000\n");
        Assert.Empty(session.Tables.Diagnostics.Kept);
        Assert.Equal([1, 3, 2, 4], events.Select(e => e.Payload.OtherPid ?? -1));
        Assert.Equal(["__schedule", "schedule"], Frames(session, events[1].StackId));
        Assert.Equal(1, session.Inputs[0].Stacks);
    }

    [Fact]
    public void Ftrace_stack_of_an_event_far_out_of_order_still_attaches()
    {
        var (session, events) = Run.Text(
            "              dd-3685    [000] d..2.   338.000000: sched_waking: comm=a pid=1 prio=120 target_cpu=000\n" +
            "              dd-3685    [000] d..2.   338.200000: sched_waking: comm=a pid=2 prio=120 target_cpu=000\n" +
            "              dd-3685    [001] d..2.   338.400000: sched_waking: comm=a pid=3 prio=120 target_cpu=000\n" +
            "              dd-3685    [000] d..2.   338.150000: sched_waking: comm=a pid=4 prio=120 target_cpu=000\n" +
            "              dd-3685    [000] d..2.   338.150001: <stack trace>\n" +
            " => __schedule\n" +
            " => schedule\n");
        var straggler = Assert.Single(events, e => e.Payload.OtherPid == 4);
        Assert.Equal(["__schedule", "schedule"], Frames(session, straggler.StackId));
        Assert.Equal("time-went-back", Assert.Single(session.Tables.Diagnostics.Kept).Code);
    }

    [Fact]
    public void Identical_stacks_share_one_id()
    {
        const string block =
            " => __schedule\n" +
            " => schedule\n" +
            " => io_schedule\n";
        var (session, events) = Run.Text(
            "              dd-3685    [000] d..2.   338.777200: sched_waking: comm=x pid=1 prio=120 target_cpu=000\n" +
            "              dd-3685    [000] d..2.   338.777201: <stack trace>\n" + block +
            "              dd-3685    [000] d..2.   338.777300: sched_waking: comm=x pid=1 prio=120 target_cpu=000\n" +
            "              dd-3685    [000] d..2.   338.777301: <stack trace>\n" + block +
            "              dd-3685    [000] d..2.   338.777400: sched_waking: comm=x pid=1 prio=120 target_cpu=000\n" +
            "              dd-3685    [000] d..2.   338.777401: <stack trace>\n" +
            " => __schedule\n" +
            " => schedule\n");
        Assert.Equal(3, events.Count);
        Assert.NotEqual(0, events[0].StackId);
        Assert.Equal(events[0].StackId, events[1].StackId);
        Assert.NotEqual(events[0].StackId, events[2].StackId); // a prefix is a different stack
        Assert.Equal(2, session.Tables.Stacks.Count);
    }

    [Fact]
    public void Frames_are_stored_without_offsets_or_addresses()
    {
        var (session, events) = Run.Text(
            "              dd-3685    [000] d..2.   338.777200: sched_waking: comm=x pid=1 prio=120 target_cpu=000\n" +
            "              dd-3685    [000] d..2.   338.777201: <stack trace>\n" +
            " => __schedule+0x628/0xf60\n" +
            "=> schedule (ffffffff82266833)\n");
        Assert.Equal(["__schedule", "schedule"], Frames(session, Assert.Single(events).StackId));
    }

    [Fact]
    public void Stack_block_with_no_event_before_it_is_an_orphan()
    {
        var (session, events) = Run.Text(
            "              dd-3685    [000] d..2.   338.777210: <stack trace>\n" +
            " => __schedule\n" +
            " => schedule\n" +
            "              dd-3685    [000] d..2.   338.777300: sched_waking: comm=x pid=1 prio=120 target_cpu=000\n");
        var e = Assert.Single(events);
        Assert.Equal(0, e.StackId);
        Assert.Equal(0, session.Tables.Stacks.Count);
        var d = Assert.Single(session.Tables.Diagnostics.Kept);
        Assert.Equal("orphan-stack-frame", d.Code);
        Assert.Equal(1, d.Line);
    }

    [Fact]
    public void Stack_block_of_a_task_with_no_event_is_an_orphan_and_not_attached_to_another_task()
    {
        var (session, events) = Run.Text(
            "     ksoftirqd/1-22      [000] d..2.   338.777205: sched_waking: comm=y pid=2 prio=120 target_cpu=000\n" +
            "              dd-3685    [000] d..2.   338.777210: <stack trace>\n" +
            " => __schedule\n");
        Assert.Equal(0, Assert.Single(events).StackId);
        Assert.Equal("orphan-stack-frame", Assert.Single(session.Tables.Diagnostics.Kept).Code);
    }

    [Fact]
    public void Frames_with_no_stack_header_are_orphans()
    {
        var (session, events) = Run.Text(
            "              dd-3685    [000] d..2.   338.777200: sched_waking: comm=x pid=1 prio=120 target_cpu=000\n" +
            " => __schedule\n" +
            " => schedule\n");
        Assert.Equal(0, Assert.Single(events).StackId);
        var d = Assert.Single(session.Tables.Diagnostics.Kept); // one per run of frames, not one per frame
        Assert.Equal("orphan-stack-frame", d.Code);
        Assert.Equal(2, d.Line);
    }

    [Fact]
    public void Kernel_log_call_trace_attaches_to_its_hung_task_report()
    {
        // xfs-frozen-backing-stall.dmesg.txt
        var (session, events) = Run.Text(
            "[  376.749647] INFO: task kworker/u8:4:3693 blocked for more than 3 seconds.\n" +
            "[  376.751724]       Not tainted 6.18.44-fc-v782 #1\n" +
            "[  376.755599] task:kworker/u8:4    state:D stack:0     pid:3693  tgid:3693  ppid:2      task_flags:0x4388060 flags:0x00080000\n" +
            "[  376.755635] Call Trace:\n" +
            "[  376.755637]  <TASK>\n" +
            "[  376.755698]  __schedule+0x3dc/0xf60\n" +
            "[  376.755709]  schedule+0x23/0xa0\n" +
            "[  376.755711]  percpu_rwsem_wait+0x15f/0x1d0\n" +
            "[  376.755720]  ? __pfx_percpu_rwsem_wake_function+0x10/0x10\n" +
            "[  376.755724]  __percpu_down_read+0x88/0x150\n" +
            "[  376.755774]  </TASK>\n" +
            "[  376.755787] INFO: task dd:4005 blocked for more than 3 seconds.\n" +
            "[  376.761339] Call Trace:\n" +
            "[  376.761361]  __schedule+0x3dc/0xf60\n" +
            "[  376.761399]  schedule+0x23/0xa0\n" +
            "[  376.761401]  io_schedule+0x3f/0x60\n");
        Assert.Equal(TraceFormat.Dmesg, session.Inputs[0].Format);
        Assert.Empty(session.Tables.Diagnostics.Kept);
        events = events.Where(e => e.Kind == EventKind.ProcessHang).ToList(); // the reports, not their detail lines
        Assert.Equal(2, events.Count);
        Assert.Equal(("kworker/u8:4", 3693), (events[0].Comm, events[0].Pid));
        // "? " frames are unreliable: kept and marked, never used to decide where the task is blocked.
        Assert.Equal(["__schedule", "schedule", "percpu_rwsem_wait", "? __pfx_percpu_rwsem_wake_function", "__percpu_down_read"],
            Frames(session, events[0].StackId));
        Assert.Equal(("dd", 4005), (events[1].Comm, events[1].Pid));
        Assert.Equal(["__schedule", "schedule", "io_schedule"], Frames(session, events[1].StackId));
    }

    [SkippableFact]
    public void Real_ftrace_capture_attaches_every_stack_block()
    {
        var dir = Require.RealTraces();
        var path = Path.Combine(dir, "xfs-fsync.ftrace.txt");
        int blocks = File.ReadLines(path).Count(l => l.EndsWith("<stack trace>", StringComparison.Ordinal));
        var (session, events) = Run.Files(path);
        Assert.True(blocks > 0);
        Assert.Equal(0, session.Tables.Diagnostics.CountFor(path, "orphan-stack-frame"));
        Assert.Equal(blocks, session.Inputs[0].Stacks);
        Assert.Equal(blocks, events.Count(e => e.StackId != 0));
        Assert.All(events.Where(e => e.StackId != 0),
                   e => Assert.DoesNotContain(Frames(session, e.StackId), f => f.Contains('+') || f.Contains(' ')));
    }
}
