using System.Globalization;

namespace TraceForensics.Scenarios;

/// <summary>The exact line formats of vocabulary section 1, as this machine's kernel and perf print them.</summary>
public static class LineFormats
{
    public static string Time(long us) => string.Create(CultureInfo.InvariantCulture, $"{us / 1_000_000}.{us % 1_000_000:000000}");

    /// <summary><c>            bash-3954    [001] .....   370.707978: block_plug: [bash]</c></summary>
    public static IEnumerable<string> Ftrace(ScenarioEvent e, long us)
    {
        string head = string.Create(CultureInfo.InvariantCulture, $"{e.Comm,16}-{e.Pid,-7} [{e.Cpu:000}] {e.Flags} {Time(us),12}: ");
        yield return $"{head}{e.Name}: {e.Payload}";
        if (e.Stack.Count == 0) yield break;
        yield return $"{head}<stack trace>";
        // A stacktrace trigger's stack starts in the tracepoint's own frames.
        yield return $" => trace_event_raw_event_{e.Name}";
        yield return $" => __traceiter_{e.Name}";
        foreach (var f in e.Stack) yield return $" => {Function(f)}";
    }

    /// <summary><c>        postgres 47211 [000]   392.400235:  sched:sched_switch: ...</c> then a tab-indented callchain and a blank line.</summary>
    public static IEnumerable<string> PerfScript(ScenarioEvent e, long us)
    {
        var ev = $"{e.Subsystem}:{e.PerfName ?? e.Name}:";
        yield return string.Create(CultureInfo.InvariantCulture, $"{e.Comm,16} {e.Pid,5} [{e.Cpu:000}] {Time(us),12}: {ev,35} {e.PerfPayload ?? e.Payload}");
        if (e.Stack.Count == 0) yield break;
        ulong addr = 0xffffffff82265ec8;
        foreach (var f in e.Stack)
        {
            addr -= 0x1f3a8;
            var plus = f.IndexOf('+');
            var off = plus > 0 ? f[plus..].Split('/')[0] : "+0x0";
            yield return $"\t{addr:x16} {Function(f)}{off} ([kernel.kallsyms])";
        }
        yield return "";
    }

    /// <summary><c>              dd-4256  [001]   408.433821: sched_switch:         dd:4256 [120] D ==&gt; kworker/u8:1:33 [120]</c>:
    /// <c>trace-cmd report</c> of this machine (xfs-fsync.trace-cmd-report.txt): no irq-flags column, the event name padded,
    /// sched_switch in the sched plugin's form, the block ioprio class as a number (libtraceevent has no symbol for it), a
    /// stack as a <c>kernel_stack</c> event followed by <c>=&gt; func (addr)</c> lines. A kprobe prints its print fmt
    /// (<c>(%lx)</c>, <c>(%lx &lt;- %lx)</c>: addresses, as perf does) under its event name, here the name
    /// <c>perf probe</c> gives it (<c>__folio_lock</c>, <c>__folio_lock__return</c>).</summary>
    public static IEnumerable<string> TraceCmd(ScenarioEvent e, long us)
    {
        string head = string.Create(CultureInfo.InvariantCulture, $"{e.Comm,16}-{e.Pid,-5} [{e.Cpu:000}] {Time(us),12}: ");
        bool probe = e.Subsystem == "probe";
        var name = probe ? e.PerfName ?? e.Name : e.Name;
        var payload = probe ? e.PerfPayload ?? e.Payload : TraceCmdPayload(e);
        yield return $"{head}{name + ":",-21} {payload}";
        if (e.Stack.Count == 0) yield break;
        yield return $"{head}{"kernel_stack:",-21} <stack trace >";
        yield return $"=> trace_event_raw_event_{e.Name} (ffffffff813abff5)";
        yield return $"=> __traceiter_{e.Name} (ffffffff813a50f1)";
        ulong addr = 0xffffffff82265ec8;
        foreach (var f in e.Stack)
        {
            addr -= 0x1f3a8;
            yield return $"=> {Function(f)} ({addr:x16})";
        }
    }

    private static string TraceCmdPayload(ScenarioEvent e)
    {
        if (e.Name == "sched_switch")
        {
            // prev_comm=A prev_pid=1 prev_prio=120 prev_state=D ==> next_comm=B next_pid=2 next_prio=120
            var f = e.Payload.Replace(" ==> ", " ").Split(' ').Select(kv => kv[(kv.IndexOf('=') + 1)..]).ToArray();
            return $"{f[0]}:{f[1]} [{f[2]}] {f[3]} ==> {f[4]}:{f[5]} [{f[6]}]";
        }
        if (e.Name.StartsWith("block_rq_", StringComparison.Ordinal)) return e.Payload.Replace(" be,", " 0x2,");
        return e.Payload;
    }

    private static string Function(string frame)
    {
        int plus = frame.IndexOf('+');
        return plus > 0 ? frame[..plus] : frame;
    }
}
