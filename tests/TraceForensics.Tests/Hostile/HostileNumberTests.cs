using System.Text;
using TraceForensics.Events.Model;
using TraceForensics.Ingest.Diagnostics;
using TraceForensics.Ingest.Formats;
using TraceForensics.Ingest.Input;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Hostile;

/// <summary>Numbers out of range (pids the kernel cannot give, timestamps past a long of nanoseconds) and stacks past
/// the frame limit are diagnostics, never a confident wrong finding or a silent cut.</summary>
public class HostileNumberTests
{
    private const string Sleeper = "              dd-3685    [000] d..2.   338.777810: sched_switch: prev_comm=dd prev_pid=3685 prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120";
    private const string Later = "            bash-3954    [000] .....   400.000000: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000";

    private static IEnumerable<Diagnostic> Codes(TraceForensics.Events.Reading.TraceSession s, string code) => s.Tables.Diagnostics.Kept.Where(d => d.Code == code);

    [Theory]
    [InlineData("abc")]
    [InlineData("-5")]
    [InlineData("4194304")]              // PID_MAX_LIMIT itself
    [InlineData("4294967297")]           // 2^32 + 1: would wrap onto pid 1
    [InlineData("99999999999999999999")] // past 2^63
    public void A_sched_process_hang_whose_pid_is_no_pid_is_skipped_with_a_diagnostic_not_taken_for_khungtaskd(string pid)
    {
        var text = $"{Sleeper}\n      khungtaskd-31      [001] .....   370.000000: sched_process_hang: comm=dd pid={pid}\n{Later}\n";
        var (session, events) = Run.Text(text);
        var hang = Assert.Single(events, e => e.Source.Line == 2);
        Assert.Equal(EventKind.Unknown, hang.Kind);
        var d = Assert.Single(Codes(session, DiagnosticCodes.PayloadMismatch));
        Assert.Equal(2, d.Line);
        Assert.Contains("not a pid the kernel gives", d.Message);
        var findings = Analyze.Text(text);
        Assert.DoesNotContain(findings, f => f.Tasks.Any(t => t.Pid == 31 || t.HangReport is not null));
    }

    [Fact]
    public void A_valid_sched_process_hang_still_names_its_task()
    {
        var (_, events) = Run.Text($"{Sleeper}\n      khungtaskd-31      [001] .....   370.000000: sched_process_hang: comm=dd pid=3685\n");
        var hang = Assert.Single(events, e => e.Source.Line == 2);
        Assert.Equal((EventKind.ProcessHang, (int?)3685), (hang.Kind, hang.Payload.OtherPid));
    }

    [Theory]
    [InlineData("sched_waking: comm=sshd pid=4294967297 prio=120 target_cpu=000")]
    [InlineData("sched_switch: prev_comm=dd prev_pid=3685 prev_prio=120 prev_state=D ==> next_comm=x next_pid=-2 next_prio=120")]
    public void A_wakeup_or_switch_to_a_pid_out_of_range_names_no_task(string payload)
    {
        var (session, events) = Run.Text($"              dd-3685    [000] d..2.   338.777810: {payload}\n");
        Assert.Null(Assert.Single(events).Payload.OtherPid);
        Assert.Single(Codes(session, DiagnosticCodes.PayloadMismatch));
    }

    [Theory]
    [InlineData("   task-4194304 [001] d..2.   100.000000: sched_waking: comm=a pid=1 prio=120 target_cpu=000")]
    [InlineData("   task-12 [001] d..2.   9999999999.500000: sched_waking: comm=a pid=1 prio=120 target_cpu=000")] // 10^10 s: past a long of ns
    public void A_line_with_a_pid_or_timestamp_out_of_range_is_skipped_with_a_diagnostic(string line)
    {
        var (session, events) = Run.Text($"{Sleeper}\n{line}\n");
        Assert.All(events, e => Assert.True(e.TimestampNs >= 0));
        Assert.DoesNotContain(events, e => e.Source.Line == 2);
        Assert.Equal(2, Assert.Single(Codes(session, DiagnosticCodes.UnrecognizedLine)).Line);
    }

    [Theory]
    [InlineData("-5")]
    [InlineData("99999999999")]
    [InlineData("4194304")]
    public void A_kernel_log_hung_task_report_with_a_pid_out_of_range_is_said_not_dropped_silently(string pid)
    {
        var log = $"[  370.000000] INFO: task dd:{pid} blocked for more than 120 seconds.\n" +
                  "[  370.000001] Call Trace:\n[  370.000002]  __schedule+0x1/0x2\n[  370.000003]  folio_wait_bit_common+0x1/0x2\n";
        var (session, events) = Run.Text(log, TraceFormat.Dmesg);
        Assert.DoesNotContain(events, e => e.Kind == EventKind.ProcessHang);
        var d = Assert.Single(Codes(session, DiagnosticCodes.UnrecognizedLine));
        Assert.Equal(1, d.Line);
        Assert.Contains("hung-task report whose pid is not one the kernel gives", d.Message);
        Assert.Empty(Analyze.Text(log, TraceFormat.Dmesg));
    }

    [Fact]
    public void A_kernel_log_blocker_line_with_a_pid_out_of_range_is_said()
    {
        var log = "[  370.000000] INFO: task dd:3685 blocked for more than 120 seconds.\n" +
                  "[  370.000001] INFO: task dd:99999999999 is blocked on a mutex likely owned by task kworker/0:1:12.\n";
        var (session, events) = Run.Text(log, TraceFormat.Dmesg);
        Assert.DoesNotContain(events, e => e.Source.Line == 2);
        var d = Assert.Single(Codes(session, DiagnosticCodes.UnrecognizedLine));
        Assert.Equal(2, d.Line);
        Assert.Contains("blocker line whose pid is not one the kernel gives", d.Message);
    }

    [Fact]
    public void A_stack_over_the_frame_limit_is_cut_with_a_diagnostic()
    {
        var sb = new StringBuilder($"{Sleeper}\n              dd-3685    [000] d..2.   338.777811: <stack trace>\n");
        for (int i = 0; i < InputLimits.Default.MaxStackFrames + 88; i++) sb.Append($" => frame_{i}\n");
        sb.Append(Later).Append('\n');
        var (session, events) = Run.Text(sb.ToString());
        var sleep = Assert.Single(events, e => e.Source.Line == 1);
        var stack = session.Tables.Stacks.Get(sleep.StackId);
        Assert.Equal(InputLimits.Default.MaxStackFrames, stack.Length);
        Assert.Equal("frame_0", stack[0]); // the innermost frames are kept
        var d = Assert.Single(Codes(session, DiagnosticCodes.StackCut));
        Assert.Equal(1, d.Line);
        Assert.Contains($"has {InputLimits.Default.MaxStackFrames + 88} frames; only the innermost {InputLimits.Default.MaxStackFrames} are kept", d.Message);
    }

    [Fact]
    public void A_stack_at_the_frame_limit_is_not_cut()
    {
        var sb = new StringBuilder($"{Sleeper}\n              dd-3685    [000] d..2.   338.777811: <stack trace>\n");
        for (int i = 0; i < InputLimits.Default.MaxStackFrames; i++) sb.Append($" => frame_{i}\n");
        var (session, _) = Run.Text(sb.ToString());
        Assert.Empty(Codes(session, DiagnosticCodes.StackCut));
    }
}
