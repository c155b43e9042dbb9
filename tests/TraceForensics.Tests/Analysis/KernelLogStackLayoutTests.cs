using TraceForensics.Analysis.Findings;
using TraceForensics.Ingest.Formats;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Analysis;

/// <summary>The stack layouts each architecture's show_stack()/dump_backtrace() prints under a hung-task report reach
/// the analysis as ordinary frames: the task gets its stack and the title function.</summary>
public class KernelLogStackLayoutTests
{
    private static FindingTask Task(string log, int pid)
    {
        var findings = Analyze.Text(log);
        return findings.SelectMany(f => f.Tasks).First(t => t.Pid == pid);
    }

    /// <summary>A real arm64 report: Tech Veda, "Debug Story: A Hung Task That Froze an Embedded Board",
    /// https://www.techveda.live/?p=30562 (kernel 6.12, an out-of-tree SPI driver's transfer waiting for a completion
    /// that is never signalled); the frames as published, the tail the article elides left out.</summary>
    private const string Arm64Report = """
        INFO: task spi0:73 blocked for more than 122 seconds.
              Not tainted 6.12.0 #1
        "echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.
        task:spi0            state:D stack:0     pid:73    ppid:2     flags:0x00000008
        Call trace:
         __switch_to+0xa0/0xfc
         __schedule+0x2b4/0x6d0
         schedule+0x40/0xb0
         schedule_timeout+0x18c/0x1b0
         wait_for_completion+0x8c/0x150
         acme_spi_transfer_one+0xd4/0x180 [acme_spi]
         spi_transfer_one_message+0x2e8/0x5d0
        """;

    [Fact]
    public void A_real_arm64_report_gives_the_title_function()
    {
        var t = Task(Arm64Report, 73);
        Assert.Equal("__switch_to,__schedule,schedule,schedule_timeout,wait_for_completion,acme_spi_transfer_one,spi_transfer_one_message", string.Join(",", t.Stack));
        Assert.Equal("acme_spi_transfer_one", t.BlockedIn);
    }

    /// <summary>A real ARM (32-bit) report: a BeagleBone on kernel 3.14.42-ti-r64, posted in syncloud/platform issue #80
    /// (https://github.com/syncloud/platform/issues/80); the report's opening up to where the stored copy of the thread
    /// breaks off (the frames below wait_for_completion_io are not in it). Verbose ARM frames with their register dumps
    /// between them.</summary>
    private const string ArmReport = """
        [  722.772825] INFO: task ext4lazyinit:305 blocked for more than 120 seconds.
        [  722.786513]       Not tainted 3.14.42-ti-r64 #1
        [  722.794934] "echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.
        [  722.806693] ext4lazyinit    D c08dd648     0   305      2 0x00000000
        [  722.806735] Backtrace: 
        [  722.806776] [<c08dd2fc>] (__schedule) from [<c08ddbc4>] (schedule+0x40/0x90)
        [  722.806790]  r10:c0cb8508 r9:00000000 r8:00000002 r7:c08de0bc r6:dc1fc000 r5:7fffffff
        [  722.806813]  r4:df9b84a8
        [  722.806828] [<c08ddb84>] (schedule) from [<c08dcc8c>] (schedule_timeout+0x19c/0x294)
        [  722.806843] [<c08dcaf0>] (schedule_timeout) from [<c08de0bc>] (io_schedule_timeout+0xac/0x11c)
        [  722.806851]  r10:dc1fde0c r9:00000000 r8:00000002 r7:7fffffff r6:dc1fc000 r5:df9b7fc0
        [  722.806873]  r4:df9b84a8
        [  722.806891] [<c08de010>] (io_schedule_timeout) from [<c08de74c>] (wait_for_common_io.constprop.1+0x94/0x118)
        [  722.806899]  r7:dc1fc000 r6:7fffffff r5:dc1fddfc r4:dc1fde00
        [  722.806925] [<c08de6b8>] (wait_for_common_io.constprop.1) from [<c08de808>] (wait_for_completion_io+0x1c/0x20)
        """;

    [Fact]
    public void A_real_arm_report_s_backtrace_is_read_and_its_wait_only_frames_are_syzkaller_s_corrupted_title()
    {
        var findings = Analyze.Text(ArmReport);
        var t = findings.SelectMany(f => f.Tasks).First(x => x.Pid == 305);
        Assert.Equal("ext4lazyinit", t.Comm);
        Assert.Equal(["__schedule", "schedule", "schedule_timeout", "io_schedule_timeout", "wait_for_common_io.constprop.1"], t.Stack.Take(5));
        // Every frame the copy holds is scheduler or wait plumbing: syzkaller's rule finds no title function, so none is claimed.
        Assert.Null(t.BlockedIn);
        Assert.Contains("skipped", t.BlockedInCorrupted);
    }

    /// <summary>ARM (32-bit), constructed from the kernel's format (no public ARM hung-task report was found in the
    /// searchable archives): arch/arm/kernel/traps.c dump_backtrace() prints "Backtrace: " for the frame-pointer
    /// unwinder, dump_backtrace_entry() "[&lt;pc&gt;] (func) from [&lt;lr&gt;] (caller+0x/0x)" with
    /// CONFIG_BACKTRACE_VERBOSE and " func from caller+0x/0x" without; the ARM unwinder (unwind.c) prints no header.
    /// The frames are those of a task waiting for rtnl_mutex, which syzkaller titles "INFO: task hung in rtnl_lock".</summary>
    [Theory]
    [InlineData("Backtrace: \n", "[<{0}>] ({1}) from [<c0a0{2:x4}>] ({3}+0x{2:x}/0x200)")]
    [InlineData("", "[<{0}>] ({1}) from [<c0a0{2:x4}>] ({3}+0x{2:x}/0x200)")]
    [InlineData("", " {1} from {3}+0x{2:x}/0x200")]
    [InlineData("Call trace: \n", " {1} from {3}+0x{2:x}/0x200")]
    public void An_arm_report_gives_the_title_function(string header, string frameFormat)
    {
        string[] frames = ["__schedule", "schedule", "schedule_preempt_disabled", "__mutex_lock.constprop.0", "rtnl_lock", "tun_chr_ioctl", "sys_ioctl", "ret_fast_syscall"];
        var log = new System.Text.StringBuilder(
            "[  246.120000] INFO: task syz-executor:3011 blocked for more than 143 seconds.\n" +
            "[  246.120100]       Not tainted 6.1.0 #1\n" +
            "[  246.120200] task:syz-executor    state:D stack:0     pid:3011  ppid:3005   flags:0x00000001\n");
        foreach (var line in header.Split('\n', StringSplitOptions.RemoveEmptyEntries)) log.Append("[  246.120300] ").Append(line).Append('\n');
        for (int i = 0; i + 1 < frames.Length; i++)
            log.Append("[  246.1204").Append(i).Append("] ")
               .Append(string.Format(System.Globalization.CultureInfo.InvariantCulture, frameFormat, $"c0a0{i:x4}", frames[i], 0x20 + i * 8, frames[i + 1])).Append('\n');
        log.Append("[  246.130000] Showing all locks held in the system:\n");
        var t = Task(log.ToString(), 3011);
        Assert.Equal(frames[..^1], t.Stack);
        Assert.Equal("rtnl_lock", t.BlockedIn);
    }

    /// <summary>Each arch's frame line, constructed from the kernel's printk formats (cited in
    /// KernelLogTokenizer.TryFrame): the tokenizer gives the function, unreliable frames marked with "?".</summary>
    [Theory]
    [InlineData(" __schedule+0x3dc/0xf60", "__schedule")]                                       // x86 (%pBb)
    [InlineData(" [<ffffffff8de17609>] ? __schedule+0x239/0x6f0", "? __schedule")]               // x86, old kernels
    [InlineData(" jbd2_journal_commit_transaction+0xf59/0x17c0 [jbd2]", "jbd2_journal_commit_transaction")] // a module's
    [InlineData(" context_switch kernel/sched/core.c:5178 [inline]", "context_switch")]        // a symbolizer's inline frame
    [InlineData(" __mutex_lock_common kernel/locking/mutex.c:679 [inline]", "__mutex_lock_common")]
    [InlineData(" __schedule+0x897/0x1e60 kernel/sched/core.c:3302", "__schedule")]           // symbolized
    [InlineData(" __switch_to+0xa0/0xfc (T)", "__switch_to")]                                  // arm64 6.13+ (T)/(P) marks
    [InlineData("[<ffff000008085f10>] __switch_to+0x98/0xb0", "__switch_to")]                  // arm64, old kernels
    [InlineData("[<80c1e5e8>] (__schedule) from [<80c1eb20>] (schedule+0x60/0xdc)", "__schedule")] // ARM, verbose
    [InlineData(" __schedule from schedule+0x60/0xdc", "__schedule")]                          // ARM
    [InlineData("[c0000000fe2ffb70] [c0000000000202b8] __switch_to+0x2c8/0x470 (unreliable)", "? __switch_to")] // powerpc64
    [InlineData("[c1a2bd40] [c0009b40] __schedule+0x2a4/0x7d0", "__schedule")]               // powerpc32
    [InlineData(" [<0000000000a3c6b6>] __schedule+0x2f6/0x6c0", "__schedule")]                 // s390, riscv
    [InlineData(" ([<000000000011c0fa>] __switch_to+0x62/0xa8)", "__switch_to")]              // s390, first frame of old kernels
    [InlineData(" __wait_for_common.cold+0x10/0x20", "__wait_for_common.cold")]
    public void Every_arch_frame_line_gives_its_function(string line, string want)
    {
        var tokenizer = new KernelLogTokenizer();
        var r = new RawRecord();
        tokenizer.Tokenize("[    1.000000] INFO: task a:1 blocked for more than 3 seconds."u8, ref r);
        tokenizer.Tokenize("[    1.000001] Call Trace:"u8, ref r);
        Assert.Equal(RecordKind.StackStart, r.Kind);
        tokenizer.Tokenize(System.Text.Encoding.ASCII.GetBytes("[    1.000002] " + line), ref r);
        Assert.Equal(RecordKind.StackFrame, r.Kind);
        Assert.Equal(want, System.Text.Encoding.ASCII.GetString(r.Frame));
    }

    [Theory]
    [InlineData(" Not tainted 6.0.0 #1")]
    [InlineData(" 0000000000000046 ffff9d20ccfea800 0000000000000000 ffff9d20e9a3d100")]
    [InlineData("RIP: 0033:0x41b26d")]
    [InlineData(" <TASK>")]
    [InlineData("--- interrupt: c00 at 0x7fff8a2b3c4c")]
    [InlineData(" r10:c1a2bd40 r9:00000000 r8:c0d0a000 r7:c0d0a0c0")]
    public void Lines_that_are_not_frames_are_not_taken_for_frames(string line)
    {
        var tokenizer = new KernelLogTokenizer();
        var r = new RawRecord();
        tokenizer.Tokenize("[    1.000000] INFO: task a:1 blocked for more than 3 seconds."u8, ref r);
        tokenizer.Tokenize("[    1.000001] Call Trace:"u8, ref r);
        tokenizer.Tokenize(System.Text.Encoding.ASCII.GetBytes("[    1.000002] " + line), ref r);
        Assert.NotEqual(RecordKind.StackFrame, r.Kind);
    }
}
