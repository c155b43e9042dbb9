using System.Text;
using static TraceForensics.Ingest.Formats.AsciiSpan;

namespace TraceForensics.Ingest.Formats;

/// <summary>Reads a kernel log as the reports it holds (report-formats.md), keeping state across lines:
/// <list type="bullet">
/// <item>a hung-task header (<c>INFO: task comm:pid blocked for more than N seconds.</c>, the I/O-wait variant, a
/// comm broken over two lines) is a <c>hung_task</c> event; its <c>Call Trace:</c> is its stack, up to the next report
/// (other call traces — NMI backtraces, warnings — are not attached to it); frames come in each arch's layout (see
/// <see cref="TryFrame"/>); <c>? </c> frames are kept, marked with a leading "? ";</item>
/// <item>a <c>sysrq-w</c> dump (<c>sysrq: Show Blocked State</c>) is read as a report of each D task it shows;</item>
/// <item>blocker lines (<c>is blocked on a mutex likely owned by task comm:pid</c>, semaphore and rw-semaphore
/// variants, <c>the owner is not found</c>) are <c>hung_task_blocker</c> events;</item>
/// <item>each entry of a held-locks list (<c>N locks held by comm/pid:</c>, <c> #0: addr (class){....}, at: site</c>)
/// is a <c>held_lock</c> event of that task;</item>
/// <item>a lockdep report (circular, recursive, irq-safe/unsafe order, irq inversion, inconsistent lock state) is a
/// <c>lockdep_circular</c> event naming the held and the wanted class.</item>
/// </list>
/// Lines come from <see cref="KernelLogLines"/>, which takes the wrapping of the log's arrival off (journald, syslog,
/// mail quotes...). What a report line says is handed on typed, in <see cref="RawRecord.Report"/> (a <see cref="KernelLogReport"/>), not
/// as payload text.</summary>
public sealed class KernelLogTokenizer
{
    private enum Mode { None, HungHeader, CallTrace, HeldLocks, Lockdep, Dept }

    /// <summary>lockdep's chains are bounded by MAX_LOCKDEP_DEPTH (48, kernel/locking/lockdep_internals.h) links; a
    /// longer run of <c>-&gt; #N</c> lines is not a chain lockdep printed, and is cut here.</summary>
    private const int MaxChainLinks = 256;

    private readonly KernelLogReport _report = new();
    private long _lastTimestampNs;
    private bool _kernelClock, _wallClockNoted;
    private bool _sysrq; // inside a sysrq-w dump: every task line is a report
    private Mode _mode;
    private int _reportPid = -1;
    private int _lockPid = -1;
    private byte[]? _lockComm;
    private byte[]? _pendingInfo; // "INFO: task <comm" broken over two lines
    private byte[]? _lockdepComm;
    private int _lockdepPid = -1;
    private int _lockdepAwait; // 1 = next line is the wanted lock, 2 = next line is the held lock
    private string? _wanted, _held;
    private string? _thisLock; // the lock of an irq-inversion report ("just changed the state of lock:")
    private LockdepReportKind _lockdepKind = LockdepReportKind.Circular;
    private readonly List<string> _chain = new();
    private bool _chainCut; // the chain went past MaxChainLinks (said once)

    /// <summary>The lockdep report as one event: the task, the held and the wanted class, the kind of report, and
    /// lockdep's existing dependency chain (printed in reverse order: #N first).</summary>
    private void EmitLockdep(ref RawRecord r)
    {
        var report = Event(ref r, "lockdep_circular"u8);
        r.Comm = _lockdepComm;
        r.Pid = _lockdepPid;
        report.ReportKind = _lockdepKind;
        report.HeldClass = _held;
        report.WantedClass = _wanted;
        if (_chain.Count > 0) report.Chain = [.. _chain];
        _mode = Mode.None;
        _wanted = _held = null;
        _chain.Clear();
        _chainCut = false;
    }

    /// <summary>lockdep's report banners that name a held and a wanted lock.</summary>
    private static bool IsLockdepHeader(ReadOnlySpan<byte> t)
    {
        // New kernels print "WARNING: ...", old ones "[ INFO: ... ]".
        if (t.StartsWith("[ INFO: "u8)) t = t["[ INFO: "u8.Length..];
        else if (t.StartsWith("WARNING: "u8)) t = t["WARNING: "u8.Length..];
        else return false;
        return t.StartsWith("possible circular locking dependency detected"u8) || t.StartsWith("possible recursive locking detected"u8)
               || t.IndexOf("-unsafe lock order detected"u8) > 0 || t.StartsWith("possible irq lock inversion dependency detected"u8)
               || t.StartsWith("inconsistent lock state"u8);
    }

    /// <summary>At the end of the input: a lockdep report that never named both locks (the log is cut off) becomes an
    /// unrecognized record with the reason, so it is a diagnostic rather than silence. False when nothing is pending.</summary>
    public bool Finish(ref RawRecord r)
    {
        if (_mode == Mode.Dept)
        {
            _mode = Mode.None;
            r.Reset();
            r.Kind = RecordKind.Truncated;
            r.Problem = "a DEPT report ends before it names a context's held and awaited events: the log is cut off";
            return true;
        }
        if (_mode != Mode.Lockdep) return false;
        r.Reset();
        if (_wanted is not null && _held is not null)
        {
            EmitLockdep(ref r); // the report names both locks; only its tail is missing
            return true;
        }
        _mode = Mode.None;
        r.Kind = RecordKind.Truncated;
        r.Problem = $"a lockdep {_lockdepKind.Name()} report ends before it names both locks (wanted: {_wanted ?? "?"}, held: {_held ?? "?"}): the log is cut off";
        return true;
    }

    /// <summary>A line as <see cref="KernelLogLines"/> gave it: the kernel's line, and the wall time of its arrival.</summary>
    public void Tokenize(in KernelLogLine line, ref RawRecord r)
    {
        if (line.Problem is not null)
        {
            r.Reset();
            r.Kind = RecordKind.Unrecognized;
            r.Problem = line.Problem;
            return;
        }
        if (line.Aside)
        {
            r.Reset();
            r.Kind = RecordKind.Header;
            return;
        }
        Tokenize(line.Span, ref r, line.WallNs, line.WallForm);
    }

    /// <summary>A kernel line (its own <c>&lt;N&gt;[ secs]</c> prefixes on it); <paramref name="wallNs"/> is the wall
    /// time its arrival gave (journalctl, syslog, <c>dmesg -T</c>), used while the log gives no kernel time.</summary>
    public void Tokenize(ReadOnlySpan<byte> line, ref RawRecord r, long? wallNs = null, string? wallForm = null)
    {
        r.Reset();
        if (IsBlank(line))
        {
            r.Kind = RecordKind.Blank;
            return;
        }
        var text = KernelLogPrefix.Strip(line, out long ts, out bool hasTime);
        // A line without a time prefix (a report pasted without them, a continuation) is as late as the last one seen.
        if (hasTime)
        {
            _lastTimestampNs = ts;
            _kernelClock = true;
        }
        else if (wallNs is long wall && !_kernelClock)
        {
            // Only the wall clock of the log's arrival: kept as printed (not the kernel's seconds), and said once.
            _lastTimestampNs = wall;
            if (!_wallClockNoted)
            {
                _wallClockNoted = true;
                r.Notice = $"this log gives wall-clock times ({wallForm ?? "its arrival prefix"}) and not the kernel's seconds: " +
                           "times are kept as wall time (the year, when not printed, is taken as 2000) and do not line up with a trace's clock";
            }
        }
        r.TimestampNs = _lastTimestampNs;
        r.Kind = RecordKind.Header;
        var t = Trim(text);

        if (_pendingInfo is not null)
        {
            var joined = Concat(_pendingInfo, t);
            _pendingInfo = null;
            if (TryHungHeader(joined, ref r)) return;
        }
        if (t.StartsWith("INFO: task "u8))
        {
            if (TryHungHeader(t, ref r) || TryBlocker(t, ref r)) return;
            _pendingInfo = t.ToArray(); // broken over two lines (a garbled comm, a mail client's wrap): joined with the next
            return;
        }
        if (t.StartsWith("Kernel panic - not syncing: hung_task"u8) && _reportPid < 0)
        {
            r.Kind = RecordKind.Truncated;
            r.Problem = "khungtaskd panicked the kernel (hung_task_panic) but this log holds no report of the blocked task";
            return;
        }
        if (IsLockdepHeader(t))
        {
            _chain.Clear();
            _chainCut = false;
            _lockdepKind = t.IndexOf("recursive"u8) >= 0 ? LockdepReportKind.Recursive
                : t.IndexOf("circular"u8) >= 0 ? LockdepReportKind.Circular
                : t.IndexOf("irq lock inversion"u8) >= 0 ? LockdepReportKind.IrqInversion
                : t.IndexOf("inconsistent lock state"u8) >= 0 ? LockdepReportKind.InconsistentState : LockdepReportKind.IrqOrder;
            _thisLock = null;
            _mode = Mode.Lockdep;
            _lockdepAwait = 0;
            _wanted = _held = null;
            return;
        }
        if (_mode == Mode.Lockdep && TryLockdep(t, ref r)) return;
        if (t.StartsWith("DEPT: Circular dependency has been detected"u8))
        {
            _mode = Mode.Dept;
            _wanted = _held = null;
            _lockdepKind = LockdepReportKind.Dept;
            return;
        }
        if (_mode == Mode.Dept && TryDept(t, ref r)) return;
        if (t.StartsWith("sysrq: Show Blocked State"u8) || t.StartsWith("SysRq : Show Blocked State"u8))
        {
            _sysrq = true;
            _mode = Mode.None;
            return;
        }
        if (t.StartsWith("Showing all locks held"u8)) { _sysrq = false; _mode = Mode.HeldLocks; return; }
        if (TryHeldLocksHeader(t)) return;
        if (_mode == Mode.HeldLocks && t.StartsWith("#"u8)) { HeldLock(t, ref r); return; }

        if (_mode == Mode.HungHeader && TryTaskLine(t, ref r)) return;
        if (_mode == Mode.HungHeader && t.StartsWith("Workqueue: "u8))
        {
            Event(ref r, "hung_task_detail"u8).Workqueue = Text(t["Workqueue: "u8.Length..]);
            r.Pid = _reportPid;
            return;
        }
        if (_sysrq && TrySysrqTask(t, ref r)) return;
        if (IsStackHeader(t))
        {
            if (_mode == Mode.HungHeader)
            {
                _mode = Mode.CallTrace;
                r.Kind = RecordKind.StackStart;
                r.Event = "call_trace"u8;
                r.Pid = _reportPid;
            }
            else if (_mode == Mode.CallTrace) _mode = Mode.None; // a second trace (NMI backtrace...): not the report's
            return;
        }
        if (_mode == Mode.HungHeader && TryFrame(t, out var first, out bool firstUnreliable))
        {
            // ARM's unwinder (arch/arm/kernel/unwind.c unwind_backtrace) prints its frames with no header: the first
            // frame starts the report's stack.
            _mode = Mode.CallTrace;
            r.Kind = RecordKind.StackStart;
            r.Event = "call_trace"u8;
            r.Pid = _reportPid;
            r.Frame = firstUnreliable ? Concat("?"u8, first) : first;
            return;
        }
        if (_mode == Mode.CallTrace)
        {
            if (t.SequenceEqual("</TASK>"u8) || t.StartsWith("NMI backtrace"u8) || t.StartsWith("Kernel panic"u8)
                || t.StartsWith("Showing all locks"u8) || t.StartsWith("====="u8)) { _mode = Mode.None; return; }
            if (TryFrame(t, out var frame, out bool unreliable))
            {
                r.Kind = RecordKind.StackFrame;
                r.Frame = unreliable ? Concat("?"u8, frame) : frame; // "? func": kept, marked unreliable
            }
        }
    }

    /// <summary>The header of a task's stack, as each architecture's <c>show_stack()</c>/<c>dump_backtrace()</c> prints
    /// it: <c>Call Trace:</c> (x86 arch/x86/kernel/dumpstack.c, powerpc arch/powerpc/kernel/process.c, s390
    /// arch/s390/kernel/dumpstack.c, riscv arch/riscv/kernel/stacktrace.c), <c>Call trace:</c> (arm64
    /// arch/arm64/kernel/stacktrace.c), <c>Backtrace: </c> (ARM's frame-pointer unwinder, arch/arm/kernel/traps.c
    /// dump_backtrace(), possibly followed by "no frame pointer" or "invalid frame pointer 0x...").</summary>
    private static bool IsStackHeader(ReadOnlySpan<byte> t) =>
        t.SequenceEqual("Call Trace:"u8) || t.SequenceEqual("Call trace:"u8) || t.StartsWith("Backtrace:"u8);

    /// <summary>A task of a <c>sysrq-w</c> dump (<c>sysrq: Show Blocked State</c>, kernel/sched/core.c
    /// show_state_filter(TASK_UNINTERRUPTIBLE): sched_show_task() of every task in D), read as a report of that task:
    /// a <c>hung_task</c> event without a time, its stack the <c>Call Trace:</c> that follows. The task line is
    /// <c>task:comm state:D stack:0 pid:N ...</c> or the older <c>comm D stack pid ppid 0xflags</c>.</summary>
    private bool TrySysrqTask(ReadOnlySpan<byte> t, ref RawRecord r)
    {
        ReadOnlySpan<byte> comm;
        int pid;
        if (t.StartsWith("task:"u8))
        {
            int st = t.IndexOf(" state:"u8);
            if (st < 0 || !int.TryParse(Field(t, " pid:"u8), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out pid)) return false;
            comm = TrimEnd(t[5..st]);
        }
        else
        {
            var words = Encoding.ASCII.GetString(t).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int i = Array.FindIndex(words, w => w[0] == 'D' && w.Skip(1).All(char.IsDigit));
            if (i < 1 || words.Length < i + 3 || !words[^1].StartsWith("0x", StringComparison.Ordinal)
                || !int.TryParse(words[^3], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out pid)) return false;
            int stateAt = t.IndexOf(Encoding.ASCII.GetBytes(" " + words[i]));
            if (stateAt <= 0) return false;
            comm = TrimEnd(t[..stateAt]);
        }
        Event(ref r, "hung_task"u8);
        r.Comm = comm;
        r.Pid = pid;
        _mode = Mode.HungHeader;
        _reportPid = pid;
        return true;
    }

    /// <summary>A pid field as printed, even one out of range: an optional '-' and digits (or a word the kernel never
    /// prints there, which is not a report line at all).</summary>
    private static bool IsPidLike(ReadOnlySpan<byte> s)
    {
        if (s.Length > 0 && s[0] == (byte)'-') s = s[1..];
        if (s.IsEmpty) return false;
        foreach (byte b in s) if (!IsDigit(b)) return false;
        return true;
    }

    /// <summary><c>INFO: task comm:pid blocked for more than N seconds.</c> (or <c>blocked in I/O wait for more than</c>).</summary>
    private bool TryHungHeader(ReadOnlySpan<byte> t, ref RawRecord r)
    {
        int blocked = t.IndexOf(" blocked for more than "u8);
        int len = " blocked for more than "u8.Length;
        if (blocked < 0) { blocked = t.IndexOf(" blocked in I/O wait for more than "u8); len = " blocked in I/O wait for more than "u8.Length; }
        if (blocked < 0) { blocked = t.IndexOf(" can't die for more than "u8); len = " can't die for more than "u8.Length; } // killed, still in D
        if (blocked < "INFO: task "u8.Length || !t.StartsWith("INFO: task "u8)) return false; // no "comm:pid" between them
        var who = t["INFO: task "u8.Length..blocked];
        int colon = who.LastIndexOf((byte)':');
        if (colon < 0) return false;
        if (!TryParsePid(who[(colon + 1)..], out int pid))
        {
            // A report whose pid the kernel cannot give: said, and its stack not attached to another task.
            if (!IsPidLike(who[(colon + 1)..])) return false;
            r.Kind = RecordKind.Unrecognized;
            r.Problem = $"a hung-task report whose pid is not one the kernel gives (0 to {PidMaxLimit - 1}); the report is skipped";
            _mode = Mode.None;
            _reportPid = -1;
            return true;
        }
        var secs = t[(blocked + len)..];
        int sp = secs.IndexOf((byte)' ');
        var report = Event(ref r, "hung_task"u8);
        r.Comm = who[..colon];
        r.Pid = pid;
        if (sp > 0 && TryParseDecimal(secs[..sp], out long seconds)) report.HungSeconds = seconds;
        _mode = Mode.HungHeader;
        _reportPid = pid;
        _sysrq = false;
        return true;
    }

    /// <summary>The report's task line, as sched_show_task() (kernel/sched/core.c) prints it:
    /// <c>task:dd state:D stack:0 pid:4005 tgid:4005 ppid:3954 ...</c>, or the older
    /// <c>dd D 0 4005 3954 0x00000000</c> (comm, state, stack, pid, ppid, flags).</summary>
    private bool TryTaskLine(ReadOnlySpan<byte> t, ref RawRecord r)
    {
        string state, tgid = "", ppid = "";
        if (t.StartsWith("task:"u8))
        {
            int st = t.IndexOf(" state:"u8);
            if (st < 0) return false;
            var rest = t[(st + 7)..];
            state = Encoding.ASCII.GetString(rest[..Math.Max(0, rest.IndexOf((byte)' '))]);
            tgid = Field(t, " tgid:"u8);
            ppid = Field(t, " ppid:"u8);
        }
        else
        {
            // old form: the word after the comm is a one-letter state, then numbers
            var words = Encoding.ASCII.GetString(t).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int i = Array.FindIndex(words, w => w.Length >= 1 && "DRSTtXZIP".Contains(w[0]) && (w.Length == 1 || char.IsDigit(w[1])));
            if (i < 1 || words.Length < i + 3) return false;
            state = words[i][..1];
            int pidAt = Array.IndexOf(words, _reportPid.ToString(System.Globalization.CultureInfo.InvariantCulture), i);
            if (pidAt < 0) return false;
            ppid = pidAt + 1 < words.Length && int.TryParse(words[pidAt + 1], out _) ? words[pidAt + 1] : "";
        }
        var report = Event(ref r, "hung_task_detail"u8);
        r.Pid = _reportPid;
        report.State = state;
        if (int.TryParse(tgid, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int tg)) report.Tgid = tg;
        if (int.TryParse(ppid, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pp)) report.Ppid = pp;
        return true;
    }

    private static string Field(ReadOnlySpan<byte> t, ReadOnlySpan<byte> key)
    {
        int at = t.IndexOf(key);
        if (at < 0) return "";
        var rest = TrimStart(t[(at + key.Length)..]);
        int sp = rest.IndexOf((byte)' ');
        return Encoding.ASCII.GetString(sp < 0 ? rest : rest[..sp]);
    }

    /// <summary><c>INFO: task X:P is blocked on a mutex likely owned by task Y:Q.</c>, the semaphore and rw-semaphore
    /// variants, and <c>is blocked on a mutex, but the owner is not found.</c> (kernel/hung_task.c, debug_show_blocker()).</summary>
    private bool TryBlocker(ReadOnlySpan<byte> t, ref RawRecord r)
    {
        int on = t.IndexOf(" is blocked on "u8);
        int rw = t.IndexOf(" blocked on an rw-semaphore"u8);
        if (on < 0 && rw < 0) return false;
        int end = on >= 0 ? on : t[..rw].LastIndexOf((byte)' ');
        if (end < "INFO: task "u8.Length) return false; // no "comm:pid" before the blocker words
        var who = t["INFO: task "u8.Length..end];
        int colon = who.LastIndexOf((byte)':');
        if (colon < 0) return false;
        if (!TryParsePid(who[(colon + 1)..], out int pid))
        {
            if (!IsPidLike(who[(colon + 1)..])) return false;
            r.Kind = RecordKind.Unrecognized;
            r.Problem = $"a hung-task blocker line whose pid is not one the kernel gives (0 to {PidMaxLimit - 1}); the line is skipped";
            return true;
        }
        var report = Event(ref r, "hung_task_blocker"u8);
        r.Comm = who[..colon];
        r.Pid = pid;
        report.OwnerKind = t.IndexOf("rw-semaphore"u8) >= 0 ? LockOwnerKind.RwSemaphore
            : t.IndexOf("semaphore"u8) >= 0 ? LockOwnerKind.Semaphore : LockOwnerKind.Mutex;
        int by = t.LastIndexOf(" by task "u8);
        if (by >= 0)
        {
            var o = t[(by + " by task "u8.Length)..].TrimEnd((byte)'.');
            int oc = o.LastIndexOf((byte)':');
            if (oc > 0 && TryParsePid(o[(oc + 1)..], out int ownerPid))
            {
                report.OwnerPid = ownerPid;
                report.OwnerComm = Text(o[..oc]);
            }
        }
        return true;
    }

    /// <summary><c>4 locks held by kworker/u12:5/1980:</c> / <c>1 lock held by khungtaskd/31:</c></summary>
    private bool TryHeldLocksHeader(ReadOnlySpan<byte> t)
    {
        int held = t.IndexOf(" held by "u8);
        if (held <= 0 || !(t.IndexOf(" lock held by "u8) >= 0 || t.IndexOf(" locks held by "u8) >= 0) || t[^1] != (byte)':') return false;
        var who = t[(held + " held by "u8.Length)..^1];
        int slash = who.LastIndexOf((byte)'/');
        if (slash < 0 || !TryParsePid(who[(slash + 1)..], out int pid)) return false;
        _lockPid = pid;
        _lockComm = who[..slash].ToArray();
        if (_mode != Mode.Lockdep) _mode = Mode.HeldLocks;
        return true;
    }

    /// <summary><c>#0: ffffffff83b8a1e0 (rcu_read_lock){....}-{1:2}, at: debug_show_all_locks+0x36/0x1c0</c>
    /// (kernel/locking/lockdep.c, print_lock()).</summary>
    private void HeldLock(ReadOnlySpan<byte> t, ref RawRecord r)
    {
        if (_lockPid < 0 || !TryLockClass(t, out var cls, out var site)) return;
        var report = Event(ref r, "held_lock"u8);
        r.Comm = _lockComm;
        r.Pid = _lockPid;
        report.LockClass = cls;
        if (site.Length > 0) report.AcquireSite = site;
        int digits = 1;
        while (digits < t.Length && digits < 4 && t[digits] is >= (byte)'0' and <= (byte)'9') digits++;
        if (digits > 1 && int.TryParse(t[1..digits], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int depth))
            report.LockDepth = depth;
        if (TryParseHex(FirstToken(TrimStart(t[(t.IndexOf((byte)':') + 1)..])), out ulong address)) report.LockAddress = address;
    }

    private bool TryLockdep(ReadOnlySpan<byte> t, ref RawRecord r)
    {
        if (_lockdepAwait != 0)
        {
            if (TryLockClass(t, out var cls, out _))
            {
                switch (_lockdepAwait)
                {
                    case 1: _wanted = cls; break;
                    case 2: _held = cls; break;
                    case 3: _thisLock = cls; break;
                    // irq inversion: the dependency this -> other ("took another") or other -> this ("was taken by another")
                    case 4: _held = _thisLock; _wanted = cls; break;
                    case 5: _held = cls; _wanted = _thisLock; break;
                    // inconsistent lock state: the class is taken in a context that can interrupt a holder of it
                    case 6: _held = _wanted = cls; break;
                }
            }
            _lockdepAwait = 0;
            return true;
        }
        // print_irq_inversion_bug(): "comm/pid just changed the state of lock:", then "but this lock took another,
        // HARDIRQ-unsafe lock in the past:" or "but this lock was taken by another, HARDIRQ-safe lock in the past:".
        // print_usage_bug(): "comm/pid [HC0[0]:SC1[1]:HE1:SE0] takes:" (kernel/locking/lockdep.c).
        int changed = t.IndexOf(" just changed the state of lock:"u8);
        int takes = t.EndsWith(" takes:"u8) ? t.Length - " takes:"u8.Length : -1;
        if (changed > 0 || takes > 0) { LockdepTask(t[..(changed > 0 ? changed : takes)]); _lockdepAwait = changed > 0 ? 3 : 6; return true; }
        if (t.StartsWith("but this lock took another, "u8)) { _lockdepAwait = 4; return true; }
        if (t.StartsWith("but this lock was taken by another, "u8)) { _lockdepAwait = 5; return true; }
        int trying = t.IndexOf(" is trying to acquire"u8);
        if (trying > 0)
        {
            LockdepTask(t[..trying]);
            _lockdepAwait = 1;
            return true;
        }
        if (t.StartsWith("but task is already holding lock:"u8) || t.StartsWith("and this task is already holding:"u8)) { _lockdepAwait = 2; return true; }
        // "the existing dependency chain (in reverse order) is:" then "-> #1 (classA){...}:" ... "-> #0 (classB){...}:"
        if (t.StartsWith("-> #"u8) && TryLockClass(t, out var link, out _))
        {
            if (_chain.Count < MaxChainLinks) _chain.Add(link);
            else if (!_chainCut)
            {
                // Said once, at the first link dropped; the chain keeps its first MaxChainLinks links.
                _chainCut = true;
                r.Kind = RecordKind.Unrecognized;
                r.Problem = $"a lockdep chain of more than {MaxChainLinks} links (lockdep prints at most MAX_LOCKDEP_DEPTH, 48): the links from here on are dropped";
            }
            return true;
        }
        if ((t.StartsWith("other info that might help us debug this"u8) || t.StartsWith("Possible unsafe locking scenario"u8)
             || t.StartsWith("stack backtrace:"u8)) && _wanted is not null && _held is not null)
        {
            EmitLockdep(ref r);
            return true;
        }
        return false;
    }

    /// <summary>The task of a lockdep report: <c>comm/pid</c>, possibly followed by its irq context
    /// <c>[HC0[0]:SC0[0]:HE0:SE1]</c>.</summary>
    private void LockdepTask(ReadOnlySpan<byte> who)
    {
        int irq = who.IndexOf(" ["u8);
        if (irq > 0) who = who[..irq];
        int slash = who.LastIndexOf((byte)'/');
        _lockdepPid = slash > 0 && TryParsePid(who[(slash + 1)..], out int p) ? p : -1;
        _lockdepComm = (slash > 0 ? who[..slash] : who).ToArray();
    }

    /// <summary>DEPT's first context: <c>[S] (unknown)(pg_locked_map:0)</c> is what it holds (the start of its event
    /// context), <c>[W] dept_page_wait_on_bit(pg_writeback_map:0)</c> what it waits for.</summary>
    private bool TryDept(ReadOnlySpan<byte> t, ref RawRecord r)
    {
        bool start = t.StartsWith("[S]"u8), wait = t.StartsWith("[W]"u8);
        if (!start && !wait) return false;
        int open = t.LastIndexOf((byte)'('), close = t.LastIndexOf((byte)')');
        if (open < 0 || close < open) return true;
        var cls = t[(open + 1)..close];
        int colon = cls.LastIndexOf((byte)':');
        if (colon > 0) cls = cls[..colon];
        var name = Text(cls);
        if (start) _held ??= name;
        else if (_wanted is null)
        {
            _wanted = name;
            if (_held is not null)
            {
                var report = Event(ref r, "lockdep_circular"u8);
                r.Comm = "<dept>"u8;
                r.Pid = -1;
                report.ReportKind = LockdepReportKind.Dept;
                report.HeldClass = _held;
                report.WantedClass = _wanted;
                _mode = Mode.None;
            }
        }
        return true;
    }

    /// <summary>The class of a lock line: the parenthesised name after the address, which may itself contain
    /// parentheses and quotes (<c>((wq_completion)"writeback")</c>), and the <c>at:</c> site.</summary>
    private static bool TryLockClass(ReadOnlySpan<byte> t, out string cls, out string site)
    {
        cls = site = "";
        int open = t.IndexOf((byte)'(');
        if (open < 0) return false;
        int depth = 0, close = -1;
        for (int i = open; i < t.Length; i++)
        {
            if (t[i] == (byte)'(') depth++;
            else if (t[i] == (byte)')' && --depth == 0) { close = i; break; }
        }
        if (close < 0) return false;
        cls = Text(t[(open + 1)..close]);
        int at = t.IndexOf(", at: "u8);
        if (at >= 0) site = Text(FunctionName(t[(at + 6)..]));
        return cls.Length > 0;
    }

    /// <summary>One frame line, in every layout the kernel prints (and syzkaller's pkg/report/linux.go reads: its
    /// questionableFrame <c>(\[\&lt;[0-9a-f]+\&gt;\])? \? </c> and its symbolized <c>[inline]</c> frames):
    /// <list type="bullet">
    /// <item>x86, arm64, riscv: <c>__schedule+0x3dc/0xf60</c>, with <c>[&lt;addr&gt;] </c> before it on older kernels
    /// (and riscv's print_trace_address), <c> [module]</c>, arm64's <c> (P)</c>/<c> (T)</c> or a symbolizer's
    /// <c>file.c:123</c> after it; <c>? </c> before the function marks an unreliable frame;</item>
    /// <item>a symbolizer's inline frame: <c>context_switch kernel/sched/core.c:5178 [inline]</c>;</item>
    /// <item>ARM (arch/arm/kernel/traps.c dump_backtrace_entry()): <c>[&lt;pc&gt;] (func) from [&lt;lr&gt;] (caller+0x/0x)</c>
    /// with CONFIG_BACKTRACE_VERBOSE, <c>func from caller+0x60/0xdc</c> without;</item>
    /// <item>powerpc (arch/powerpc/kernel/process.c show_stack()): <c>[c0000000fe2ffb70] [c0000000000202b8]
    /// __switch_to+0x2c8/0x470 (unreliable)</c>: stack pointer, return address, function; "(unreliable)" marks it;</item>
    /// <item>s390 (arch/s390/kernel/dumpstack.c): <c> [&lt;0000000000a3c6b6&gt;] __schedule+0x2f6/0x6c0</c>, the first
    /// frame of older kernels in parentheses: <c>([&lt;000000000011c0fa&gt;] __switch_to+0x62/0xa8)</c>.</item>
    /// </list></summary>
    private static bool TryFrame(ReadOnlySpan<byte> t, out ReadOnlySpan<byte> frame, out bool unreliable)
    {
        frame = default;
        unreliable = false;
        if (t.Length > 2 && t[0] == (byte)'(' && t[1] == (byte)'[' && t[^1] == (byte)')') t = t[1..^1]; // s390's first frame
        if (t.StartsWith("[<"u8))
        {
            int close = t.IndexOf(">]"u8);
            if (close < 0) return false;
            t = TrimStart(t[(close + 2)..]);
        }
        else
        {
            // powerpc: "[sp] [lr] func+0x/0x": one or two bracketed hex words
            for (int i = 0; i < 2 && t.Length > 2 && t[0] == (byte)'['; i++)
            {
                int close = t.IndexOf((byte)']');
                if (close < 2 || !TryParseHex(t[1..close], out _)) return false;
                t = TrimStart(t[(close + 1)..]);
            }
            if (t.EndsWith(" (unreliable)"u8)) { unreliable = true; t = t[..^" (unreliable)"u8.Length]; }
        }
        if (t.StartsWith("? "u8)) { unreliable = true; t = t[2..]; }
        if (t.Length > 0 && t[0] == (byte)'(')
        {
            int close = t.IndexOf((byte)')');
            if (close < 0 || t.IndexOf(" from "u8) < 0) return false;
            frame = FunctionName(t[1..close]);
            return !frame.IsEmpty;
        }
        var name = FirstToken(t);
        if (!IsSymbol(name.IndexOf((byte)'+') is int p and > 0 ? name[..p] : name)) return false;
        var rest = t[name.Length..];
        // ARM without CONFIG_BACKTRACE_VERBOSE: "func from caller+0x/0x"
        if (rest.StartsWith(" from "u8) && name.IndexOf((byte)'+') < 0)
        {
            if (!IsOffset(FirstToken(rest[" from "u8.Length..]), out _)) return false;
            frame = name;
            return true;
        }
        // a symbolizer's inline frame: "func path/file.c:123 [inline]"
        if (name.IndexOf((byte)'+') < 0)
        {
            if (!t.EndsWith(" [inline]"u8)) return false;
            frame = name;
            return true;
        }
        if (!IsOffset(name, out var func)) return false;
        frame = func;
        return true;
    }

    /// <summary><c>func+0x3dc/0xf60</c>: the function, with an offset and a size in hex.</summary>
    private static bool IsOffset(ReadOnlySpan<byte> token, out ReadOnlySpan<byte> func)
    {
        func = default;
        int plus = token.IndexOf((byte)'+');
        if (plus <= 0) return false;
        var off = token[(plus + 1)..];
        int slash = off.IndexOf((byte)'/');
        if (slash <= 0 || !TryParseHex(off[..slash], out _) || !TryParseHex(off[(slash + 1)..], out _)) return false;
        func = token[..plus];
        return IsSymbol(func);
    }

    /// <summary>A kernel symbol: letters, digits, <c>_</c>, <c>.</c> (<c>foo.cold</c>, <c>bar.isra.0</c>), <c>$</c>.</summary>
    private static bool IsSymbol(ReadOnlySpan<byte> s)
    {
        if (s.IsEmpty) return false;
        foreach (byte b in s)
            if (!(IsDigit(b) || (uint)((b | 0x20) - 'a') <= 'z' - 'a' || b == (byte)'_' || b == (byte)'.' || b == (byte)'$')) return false;
        return true;
    }

    /// <summary>Log text for a field of the report, as printed (UTF-8 decoded; it is only ever this field's value).</summary>
    private static string Text(ReadOnlySpan<byte> s) => Encoding.UTF8.GetString(s);

    /// <summary>Makes <paramref name="r"/> an event of the given name whose facts are in the (reset) report.</summary>
    private KernelLogReport Event(ref RawRecord r, ReadOnlySpan<byte> name)
    {
        _report.Reset();
        r.Kind = RecordKind.Event;
        r.Event = name;
        r.Report = _report;
        return _report;
    }

    private static ReadOnlySpan<byte> FirstToken(ReadOnlySpan<byte> s)
    {
        int sp = s.IndexOf((byte)' ');
        return sp < 0 ? s : s[..sp];
    }

    private static byte[] Concat(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var joined = new byte[a.Length + 1 + b.Length];
        a.CopyTo(joined);
        joined[a.Length] = (byte)' ';
        b.CopyTo(joined.AsSpan(a.Length + 1));
        return joined;
    }
}
