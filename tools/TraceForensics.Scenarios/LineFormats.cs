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

    private static string Function(string frame)
    {
        int plus = frame.IndexOf('+');
        return plus > 0 ? frame[..plus] : frame;
    }
}
