using System.Text;
using TraceForensics.Events.Model;
using TraceForensics.Events.Reading;
using TraceForensics.Ingest.Diagnostics;
using TraceForensics.Ingest.Formats;
using TraceForensics.Ingest.Input;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Hostile;

/// <summary>The frames kept per stack and the bytes read of an events map come from the one validated
/// <see cref="InputLimits"/> a session is given, not from constants of their readers; each bound reached is a
/// diagnostic with the file, the line and the limit's name.</summary>
public class LimitOptionTests
{
    private const string Sleeper = "              dd-3685    [000] d..2.   338.777810: sched_switch: prev_comm=dd prev_pid=3685 prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120";

    private static (TraceSession Session, List<TraceEvent> Events) Read(string text, InputLimits limits, TraceFormat format = TraceFormat.Unknown)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var session = TraceSession.Open([("test", () => (Stream)new MemoryStream(bytes))], new TraceSessionOptions { Format = format, Limits = limits });
        return (session, Run.Drain(session));
    }

    private static string StackOf(int frames)
    {
        var sb = new StringBuilder($"{Sleeper}\n              dd-3685    [000] d..2.   338.777811: <stack trace>\n");
        for (int i = 0; i < frames; i++) sb.Append($" => frame_{i}\n");
        return sb.ToString();
    }

    [Fact]
    public void The_frames_kept_per_stack_are_the_sessions_limit()
    {
        var (session, events) = Read(StackOf(12), new InputLimits { MaxStackFrames = 8 });
        Assert.Equal(8, session.Tables.Stacks.MaxFrames);
        var stack = session.Tables.Stacks.Get(Assert.Single(events, e => e.Source.Line == 1).StackId);
        Assert.Equal(["frame_0", "frame_1", "frame_2", "frame_3", "frame_4", "frame_5", "frame_6", "frame_7"], stack.ToArray());
        var d = Assert.Single(session.Tables.Diagnostics.Kept, d => d.Code == DiagnosticCodes.StackCut);
        Assert.Equal("test", d.Path);
        Assert.Equal(1, d.Line);
        Assert.Contains("has 12 frames; only the innermost 8 are kept (limit MaxStackFrames = 8;", d.Message);
    }

    [Fact]
    public void A_stack_within_a_raised_limit_is_not_cut()
    {
        int frames = InputLimits.Default.MaxStackFrames + 100;
        var (session, events) = Read(StackOf(frames), new InputLimits { MaxStackFrames = frames });
        Assert.Equal(frames, session.Tables.Stacks.Get(Assert.Single(events, e => e.Source.Line == 1).StackId).Length);
        Assert.DoesNotContain(session.Tables.Diagnostics.Kept, d => d.Code == DiagnosticCodes.StackCut);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData((1 << 20) + 1)]
    public void A_frame_limit_out_of_range_is_refused_with_its_name(int value)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new InputLimits { MaxStackFrames = value });
        Assert.Equal(nameof(InputLimits.MaxStackFrames), e.ParamName);
    }

    [Fact]
    public void An_events_map_over_the_sessions_bound_is_not_read_and_the_diagnostic_names_the_line_and_the_limit()
    {
        // 3 lines of 24 bytes: a bound of 50 falls in line 3.
        var map = Run.TempFile("my_first page-lock-wait\nmy_other page-lock-wait\nmy_third page-lock-wait\n");
        try
        {
            var options = new TraceSessionOptions { EventsMapPath = map, Limits = new InputLimits { MaxEventsMapBytes = 50 } };
            using var capped = TraceSession.Open([("test", () => (Stream)new MemoryStream(Encoding.UTF8.GetBytes(Sleeper + "\n")))], options);
            var d = Assert.Single(capped.Tables.Diagnostics.Kept, d => d.Code == DiagnosticCodes.BadEventsMap);
            Assert.Equal(map, d.Path);
            Assert.Equal(3, d.Line);
            Assert.Equal(DiagnosticSeverity.Error, d.Severity);
            Assert.Contains("the events map is over 50 bytes", d.Message);
            Assert.Contains("limit MaxEventsMapBytes = 50", d.Message);
            Assert.False(capped.Tables.Dictionary.IsUserMapped("my_first"));

            using var whole = TraceSession.Open([("test", () => (Stream)new MemoryStream(Encoding.UTF8.GetBytes(Sleeper + "\n")))],
                options with { Limits = new InputLimits { MaxEventsMapBytes = 72 } });
            Assert.DoesNotContain(whole.Tables.Diagnostics.Kept, d => d.Code == DiagnosticCodes.BadEventsMap);
            Assert.True(whole.Tables.Dictionary.IsUserMapped("my_third"));
        }
        finally
        {
            File.Delete(map);
        }
    }

    [Fact]
    public void A_lockdep_chain_past_its_bound_is_said_at_the_first_link_dropped()
    {
        var sb = new StringBuilder(
            "[  1.0] WARNING: possible circular locking dependency detected\n" +
            "[  1.0] dd/4005 is trying to acquire lock:\n" +
            "[  1.0] ffff8881 (wanted_class){+.+.}-{3:3}, at: inode_lock+0x1/0x2\n" +
            "[  1.0] but task is already holding lock:\n" +
            "[  1.0] ffff8882 (held_class){.+.+}-{0:0}, at: vfs_write+0x1/0x2\n" +
            "[  1.0] the existing dependency chain (in reverse order) is:\n");
        for (int i = 299; i >= 0; i--) sb.Append($"[  1.0] -> #{i} (class_{i}){{+.+.}}-{{3:3}}:\n");
        sb.Append("[  1.0] other info that might help us debug this:\n");
        var (session, events) = Read(sb.ToString(), InputLimits.Default, TraceFormat.Dmesg);
        var report = Assert.Single(events, e => e.Kind == EventKind.LockdepReport);
        Assert.Equal(256, report.Payload.Lockdep.Chain!.Length);
        var d = Assert.Single(session.Tables.Diagnostics.Kept, d => d.Message.Contains("lockdep chain"));
        Assert.Equal(6 + 256 + 1, d.Line);
        Assert.Contains("more than 256 links", d.Message);
    }
}
