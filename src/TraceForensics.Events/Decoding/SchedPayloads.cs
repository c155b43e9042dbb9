using TraceForensics.Events.Model;
using TraceForensics.Ingest.Formats;
using static TraceForensics.Events.Decoding.PayloadFields;

namespace TraceForensics.Events.Decoding;

/// <summary>sched_switch, sched_waking/wakeup, fork/exec/exit/hang, sched_blocked_reason: raw ftrace payloads
/// and trace-cmd's plugin forms (<c>dd:4256 [120] D ==&gt; kworker/u8:1:33 [120]</c>).</summary>
internal static class SchedPayloads
{
    public static bool Switch(ReadOnlySpan<byte> payload, ref EventPayload p, Utf8Interner strings)
    {
        if (TryValue(payload, "prev_state="u8, out var state))
        {
            p.PrevState = TaskStateParser.Parse(state);
            p.OtherPid = PayloadFields.Pid(payload, "next_pid="u8, out _);
            if (TryValueUntil(payload, "next_comm="u8, " next_pid="u8, out var next)) p.OtherComm = strings.Intern(next);
            return p.OtherPid is not null;
        }
        // Plugin form: "prev:pid [prio] STATE ==> next:pid [prio]"
        int arrow = payload.IndexOf(" ==> "u8);
        if (arrow < 0) return false;
        var left = AsciiSpan.TrimEnd(payload[..arrow]);
        int sp = left.LastIndexOf((byte)' ');
        if (sp < 0) return false;
        p.PrevState = TaskStateParser.Parse(left[(sp + 1)..]);
        if (!TryCommPid(payload[(arrow + 5)..], out var comm, out int pid)) return false;
        p.OtherPid = pid;
        p.OtherComm = strings.Intern(comm);
        return true;
    }

    public static bool Wakeup(ReadOnlySpan<byte> payload, ref EventPayload p, Utf8Interner strings)
    {
        if (TryValueUntil(payload, "comm="u8, " pid="u8, out var comm))
        {
            p.OtherComm = strings.Intern(comm);
            p.OtherPid = PayloadFields.Pid(payload, "pid="u8, out _);
            return p.OtherPid is not null;
        }
        // Plugin form: "comm:pid [prio] success=1 CPU:000"
        if (!TryCommPid(payload, out var c, out int pid)) return false;
        p.OtherComm = strings.Intern(c);
        p.OtherPid = pid;
        return true;
    }

    public static bool Fork(ReadOnlySpan<byte> payload, ref EventPayload p, Utf8Interner strings)
    {
        p.OtherPid = PayloadFields.Pid(payload, "child_pid="u8, out _);
        if (TryValueUntil(payload, "child_comm="u8, " child_pid="u8, out var comm)) p.OtherComm = strings.Intern(comm);
        return p.OtherPid is not null;
    }

    public static bool Pid(ReadOnlySpan<byte> payload, ref EventPayload p, Utf8Interner strings)
    {
        p.OtherPid = PayloadFields.Pid(payload, "pid="u8, out bool bad);
        if (TryValueUntil(payload, "comm="u8, " pid="u8, out var comm)) p.OtherComm = strings.Intern(comm);
        return !bad; // a kernel-log hung_task carries its pid in the line's task fields; a pid= that is no pid is a mismatch
    }

    public static bool BlockedReason(ReadOnlySpan<byte> payload, ref EventPayload p, Utf8Interner strings)
    {
        p.OtherPid = PayloadFields.Pid(payload, "pid="u8, out _);
        if (TryValue(payload, "caller="u8, out var caller)) p.Function = strings.Intern(AsciiSpan.FunctionName(caller));
        return p.OtherPid is not null;
    }

    /// <summary>"comm:pid [prio]..." where comm may itself contain ':' (kworker/u8:1:33).</summary>
    private static bool TryCommPid(ReadOnlySpan<byte> s, out ReadOnlySpan<byte> comm, out int pid)
    {
        s = AsciiSpan.TrimStart(s);
        int bracket = s.IndexOf(" ["u8);
        var who = AsciiSpan.TrimEnd(bracket < 0 ? s : s[..bracket]);
        int colon = who.LastIndexOf((byte)':');
        comm = colon < 0 ? default : who[..colon];
        pid = 0;
        return colon >= 0 && AsciiSpan.TryParsePid(who[(colon + 1)..], out pid);
    }
}
