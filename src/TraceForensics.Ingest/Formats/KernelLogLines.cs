using System.Globalization;
using static TraceForensics.Ingest.Formats.AsciiSpan;

namespace TraceForensics.Ingest.Formats;

/// <summary>One line of a kernel log as the kernel printed it, with the wrapping of its arrival taken off.</summary>
public readonly struct KernelLogLine
{
    /// <summary>The kernel's own line: its <c>&lt;N&gt;</c> and <c>[ secs.usecs]</c> prefixes (when it has them) and its text.</summary>
    public readonly byte[] Text;
    public readonly int Length;
    /// <summary>The wall-clock time the arrival wrapping gave (journalctl, syslog, <c>dmesg -T</c>/<c>--time-format
    /// iso</c>) in ns since 1970, or null when the line has none.</summary>
    public readonly long? WallNs;
    /// <summary>The arrival form that gave <see cref="WallNs"/> (<c>journalctl</c>, <c>dmesg -T</c>...), for the diagnostic.</summary>
    public readonly string? WallForm;
    public readonly RecordPosition Position;
    /// <summary>Set for a line that cannot be read at all (overlong, cut off): the reason.</summary>
    public readonly string? Problem;
    /// <summary>Text beside the log (a mail's reply between quoted lines): not the kernel's, read as nothing.</summary>
    public readonly bool Aside;

    public KernelLogLine(byte[] text, int length, long? wallNs, string? wallForm, RecordPosition position, string? problem = null, bool aside = false)
    {
        Aside = aside;
        Text = text;
        Length = length;
        WallNs = wallNs;
        WallForm = wallForm;
        Position = position;
        Problem = problem;
    }

    public ReadOnlySpan<byte> Span => Text.AsSpan(0, Length);
}

/// <summary>The normalising line layer ahead of <see cref="KernelLogTokenizer"/>: takes the raw lines of a kernel log
/// however it arrived and gives the kernel's own lines. It removes
/// <list type="bullet">
/// <item>CR of CRLF line ends and ANSI colour (CSI escape sequences: <c>dmesg --color</c>, serial consoles);</item>
/// <item>mail quoting to any depth (<c>&gt; </c>, <c>&gt; &gt; </c>, <c>&gt;&gt;</c>, with or without a space);</item>
/// <item>the arrival prefixes: <c>journalctl -k</c> (<c>-o short</c>: <c>Dec 02 12:00:00 host kernel: </c>,
/// <c>short-precise</c>, <c>short-iso</c>/<c>short-iso-precise</c>: <c>2026-12-02T12:00:00+0000 host kernel: </c>,
/// <c>short-monotonic</c>: <c>[  376.749647] host kernel: </c>), syslog files (the same forms, the kernel's own
/// <c>[ secs]</c> often following), <c>dmesg -T</c> (<c>[Wed Dec  2 12:00:00 2026] </c>), <c>dmesg --time-format
/// iso</c> (<c>2026-12-02T12:00:00,123456+00:00 </c>) and <c>dmesg -x</c> (<c>kern  :info  : </c>);</item>
/// <item>the text of a mail around a quoted log: once the log's lines are seen at a quote depth, lines at another
/// depth (the reply between quoted lines, and its blank lines) are set aside;</item>
/// <item>the wrapping of a mail client: a quoted line with a time, followed (at the same quote depth) by up to three
/// lines with no time and then by a timed line again, is one line broken at a space when each piece could not take the
/// next piece's first word within 66 columns; the pieces are joined with that space. Only quoted text is joined: a raw log's untimed lines (console output of programs, a
/// report repeated without times) stay lines of their own.</item>
/// </list>
/// The kernel's <c>[ secs]</c> (also after <c>short-monotonic</c>'s prefix, which is the kernel's clock) is left on
/// the line for the tokenizer; a wall-clock time is handed beside it (<see cref="KernelLogLine.WallNs"/>). Serial
/// consoles' caller ids (<c>[ T123]</c>/<c>[ C1]</c>) are left to <see cref="KernelLogPrefix"/>.
/// Lines go in with <see cref="Push"/> and come out, in order, with <see cref="TryTake"/>; a line is held back only
/// while a wrapped continuation may still follow it.</summary>
public sealed class KernelLogLines
{
    /// <summary>Mail clients wrap at 72 to 78 columns (with some margin): a line that could have taken the next word
    /// within this width was not broken by a client.</summary>
    private const int WrapWidth = 66;
    /// <summary>A line longer than three wrap widths would need more pieces than are joined here.</summary>
    private const int MaxContinuations = 3;

    private sealed class Pending
    {
        public byte[] Text = [];
        public int Length;
        public long? WallNs;
        public string? WallForm;
        public RecordPosition Position;
        public string? Problem;
        public int Depth;
        public bool Timed;
        public int RawLength;
        public bool Ready;
        public bool Aside;
    }

    /// <summary>The quote depth of the log's lines (those with a time, or a hung-task header), -1 before the first.</summary>
    private int _kernelDepth = -1;

    private readonly List<Pending> _queue = new();
    private byte[] _scratch = new byte[256];

    /// <summary>Adds one raw line (without its LF).</summary>
    public void Push(ReadOnlySpan<byte> raw, RecordPosition position)
    {
        var p = Normalize(raw, position);
        if (p.Timed || TrimStart(p.Text.AsSpan(0, p.Length)).StartsWith("INFO: task "u8)) _kernelDepth = p.Depth;
        else if (_kernelDepth >= 0 && p.Depth != _kernelDepth)
        {
            // the reply around a quoted log (or a quote around a log in the mail's body): not the kernel's lines
            p.Aside = true;
            foreach (var q in _queue) q.Ready = true;
            p.Ready = true;
            _queue.Add(p);
            return;
        }
        if (p.Depth > 0 && !p.Timed && !IsBlank(p.Text.AsSpan(0, p.Length)) && CanContinue(p))
        {
            _queue.Add(p); // a candidate continuation: decided by the line after it
            return;
        }
        if (p.Depth > 0 && p.Timed) JoinContinuations(p.Depth);
        foreach (var q in _queue) q.Ready = true;
        _queue.Add(p);
        // A timed quoted line waits for the next line, which may be its wrapped rest.
        p.Ready = !(p.Depth > 0 && p.Timed);
    }

    /// <summary>A line that cannot be read (overlong, cut off): it ends any wrapping and is handed on with its reason.</summary>
    public void PushProblem(string problem, RecordPosition position)
    {
        foreach (var q in _queue) q.Ready = true;
        _queue.Add(new Pending { Problem = problem, Position = position, Ready = true });
    }

    /// <summary>At the end of the input: every held line is handed on as it is.</summary>
    public void End()
    {
        foreach (var q in _queue) q.Ready = true;
    }

    public bool TryTake(out KernelLogLine line)
    {
        if (_queue.Count == 0 || !_queue[0].Ready)
        {
            line = default;
            return false;
        }
        var p = _queue[0];
        _queue.RemoveAt(0);
        line = new KernelLogLine(p.Text, p.Length, p.WallNs, p.WallForm, p.Position, p.Problem, p.Aside);
        return true;
    }

    /// <summary>True when the queue ends with a timed quoted line of this depth and fewer than
    /// <see cref="MaxContinuations"/> candidates after it, and the piece before <paramref name="p"/> could not take
    /// p's first word within a mail client's width (that is why the client broke the line there).</summary>
    private bool CanContinue(Pending p)
    {
        if (_queue.Count == 0 || _queue[^1].RawLength + 1 + FirstWordLength(p) <= WrapWidth) return false;
        int candidates = 0;
        for (int i = _queue.Count - 1; i >= 0; i--)
        {
            var q = _queue[i];
            if (q.Problem is not null || q.Depth != p.Depth || q.Ready || q.Aside) return false;
            if (q.Timed) return candidates < MaxContinuations;
            candidates++;
        }
        return false;
    }

    private static int FirstWordLength(Pending p)
    {
        var s = p.Text.AsSpan(0, p.Length);
        int i = 0;
        while (i < s.Length && s[i] == (byte)' ') i++;
        while (i < s.Length && s[i] != (byte)' ') i++;
        return i;
    }

    private void JoinContinuations(int depth)
    {
        int anchor = _queue.Count - 1;
        while (anchor >= 0 && !_queue[anchor].Timed && !_queue[anchor].Ready) anchor--;
        if (anchor < 0 || anchor == _queue.Count - 1 || _queue[anchor].Ready || _queue[anchor].Depth != depth) return;
        var a = _queue[anchor];
        for (int i = anchor + 1; i < _queue.Count; i++)
        {
            var c = _queue[i];
            int need = a.Length + 1 + c.Length;
            if (a.Text.Length < need) Array.Resize(ref a.Text, need * 2);
            a.Text[a.Length] = (byte)' ';
            c.Text.AsSpan(0, c.Length).CopyTo(a.Text.AsSpan(a.Length + 1));
            a.Length = need;
        }
        _queue.RemoveRange(anchor + 1, _queue.Count - anchor - 1);
    }

    private Pending Normalize(ReadOnlySpan<byte> raw, RecordPosition position)
    {
        var p = new Pending { Position = position, RawLength = raw.Length };
        var s = StripControl(raw);
        s = Dequote(s, out p.Depth);
        s = StripArrival(s, out p.WallNs, out p.WallForm, out var kernelPrefix);
        p.Timed = p.WallNs is not null || HasKernelTime(s) || !kernelPrefix.IsEmpty;
        p.Text = new byte[kernelPrefix.Length + s.Length];
        kernelPrefix.CopyTo(p.Text);
        s.CopyTo(p.Text.AsSpan(kernelPrefix.Length));
        p.Length = p.Text.Length;
        return p;
    }

    private static bool HasKernelTime(ReadOnlySpan<byte> s)
    {
        KernelLogPrefix.Strip(s, out _, out bool hasTime);
        return hasTime;
    }

    /// <summary>Removes CR and ANSI escape sequences (ESC [ params final, or ESC and one byte).</summary>
    private ReadOnlySpan<byte> StripControl(ReadOnlySpan<byte> raw)
    {
        if (raw.IndexOfAny((byte)'\r', (byte)0x1b) < 0) return raw;
        if (_scratch.Length < raw.Length) _scratch = new byte[raw.Length * 2];
        int n = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            byte b = raw[i];
            if (b == (byte)'\r') continue;
            if (b == 0x1b)
            {
                if (i + 1 < raw.Length && raw[i + 1] == (byte)'[')
                {
                    i += 2;
                    while (i < raw.Length && (raw[i] < 0x40 || raw[i] > 0x7e)) i++; // parameters up to the final byte
                }
                else i++;
                continue;
            }
            _scratch[n++] = b;
        }
        return _scratch.AsSpan(0, n);
    }

    /// <summary>Mail quote markers: <c>&gt;</c> repeated, with or without spaces between, then one optional space.</summary>
    private static ReadOnlySpan<byte> Dequote(ReadOnlySpan<byte> s, out int depth)
    {
        depth = 0;
        int i = 0;
        while (i < s.Length)
        {
            if (s[i] == (byte)'>') { depth++; i++; continue; }
            if (depth > 0 && s[i] == (byte)' ')
            {
                int j = i;
                while (j < s.Length && s[j] == (byte)' ') j++;
                if (j < s.Length && s[j] == (byte)'>') { i = j; continue; }
            }
            break;
        }
        if (depth > 0 && i < s.Length && s[i] == (byte)' ') i++;
        return s[i..];
    }

    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    /// <summary>Takes off an arrival prefix. The wall time it gives is returned; a <c>short-monotonic</c> prefix's
    /// <c>[ secs]</c> is the kernel's clock and is handed back as <paramref name="kernelPrefix"/> to stay on the line.</summary>
    private static ReadOnlySpan<byte> StripArrival(ReadOnlySpan<byte> s, out long? wallNs, out string? form, out ReadOnlySpan<byte> kernelPrefix)
    {
        wallNs = null;
        form = null;
        kernelPrefix = default;
        if (s.IsEmpty) return s;
        // dmesg -x: "kern  :warn  : " (facility and level, then the line)
        if (s.StartsWith("kern "u8) || s.StartsWith("kern:"u8)) s = AfterDecodedLevel(s);
        if (s[0] == (byte)'[')
        {
            int close = s.IndexOf((byte)']');
            if (close < 0) return s;
            var inside = s[1..close];
            // journalctl -o short-monotonic: "[  376.749647] host kernel: text" (the kernel's own clock)
            if (TryParseTimestamp(Trim(inside), out _))
            {
                var after = s[(close + 1)..];
                if (TryHostKernel(after, out var text))
                {
                    kernelPrefix = s[..(close + 1)];
                    return text.Length > 0 && text[0] != (byte)' ' ? Prepend(text) : text;
                }
                return s;
            }
            // dmesg -T: "[Wed Dec  2 12:00:00 2026] text"
            if (TryCtime(inside, out long ns))
            {
                wallNs = ns;
                form = "dmesg -T";
                return SkipOneSpace(s[(close + 1)..]);
            }
            return s;
        }
        // ISO 8601: dmesg --time-format iso, journalctl -o short-iso(-precise), RFC 5424 syslog
        if (s.Length > 19 && IsDigit(s[0]) && s[4] == (byte)'-' && s[10] == (byte)'T')
        {
            int sp = s.IndexOf((byte)' ');
            if (sp < 0) return s;
            var stamp = System.Text.Encoding.ASCII.GetString(s[..sp]).Replace(',', '.');
            if (!DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when)) return s;
            wallNs = (when.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
            var after = s[sp..];
            if (TryHostKernel(after, out var text)) { form = "journalctl -o short-iso / syslog"; return text; }
            form = "dmesg --time-format iso";
            return SkipOneSpace(after);
        }
        // journalctl -o short / short-precise, BSD syslog: "Dec 02 12:00:00[.123456] host kernel: text"
        if (s.Length > 16 && s[3] == (byte)' ' && Array.IndexOf(Months, System.Text.Encoding.ASCII.GetString(s[..3])) is int month and >= 0)
        {
            var rest = TrimStart(s[4..]);
            int sp = rest.IndexOf((byte)' ');
            if (sp <= 0 || !TryParseInt(rest[..sp], out int day)) return s;
            rest = rest[(sp + 1)..];
            sp = rest.IndexOf((byte)' ');
            if (sp < 0 || !TryClock(rest[..sp], out long dayNs)) return s;
            if (!TryHostKernel(rest[sp..], out var text)) return s;
            // The year is not printed: one fixed leap year keeps the times comparable and the output reproducible.
            if (day < 1 || day > DateTime.DaysInMonth(2000, month + 1)) return s;
            wallNs = (new DateTime(2000, month + 1, day, 0, 0, 0, DateTimeKind.Utc).Ticks - DateTime.UnixEpoch.Ticks) * 100 + dayNs;
            form = "journalctl / syslog";
            return text;
        }
        return s;
    }

    /// <summary>" host kernel: text" (journald and syslog name the kernel's messages "kernel"); the text keeps its
    /// leading spaces (frame lines are indented).</summary>
    private static bool TryHostKernel(ReadOnlySpan<byte> s, out ReadOnlySpan<byte> text)
    {
        text = default;
        if (s.IsEmpty || s[0] != (byte)' ') return false;
        var rest = TrimStart(s);
        int sp = rest.IndexOf((byte)' ');
        if (sp <= 0) return false;
        rest = rest[(sp + 1)..];
        if (!rest.StartsWith("kernel:"u8)) return false;
        text = SkipOneSpace(rest["kernel:"u8.Length..]);
        return true;
    }

    private static ReadOnlySpan<byte> Prepend(ReadOnlySpan<byte> text)
    {
        var b = new byte[text.Length + 1];
        b[0] = (byte)' ';
        text.CopyTo(b.AsSpan(1));
        return b;
    }

    private static ReadOnlySpan<byte> SkipOneSpace(ReadOnlySpan<byte> s) => s.Length > 0 && s[0] == (byte)' ' ? s[1..] : s;

    private static ReadOnlySpan<byte> AfterDecodedLevel(ReadOnlySpan<byte> s)
    {
        // "kern  :warn  : text": two colon-ended fields
        int c1 = s.IndexOf((byte)':');
        if (c1 < 0 || c1 > 8) return s;
        int c2 = s[(c1 + 1)..].IndexOf((byte)':');
        if (c2 < 0 || c2 > 8) return s;
        return SkipOneSpace(s[(c1 + 1 + c2 + 1)..]);
    }

    /// <summary><c>HH:MM:SS</c> with an optional fraction, as ns since midnight.</summary>
    private static bool TryClock(ReadOnlySpan<byte> s, out long ns)
    {
        ns = 0;
        if (s.Length < 8 || s[2] != (byte)':' || s[5] != (byte)':') return false;
        if (!TryParseInt(s[..2], out int h) || !TryParseInt(s[3..5], out int m) || !TryParseInt(s[6..8], out int sec)) return false;
        long frac = 0;
        if (s.Length > 8)
        {
            if (s[8] != (byte)'.' || !TryParseTimestamp(s[8..].Length > 1 ? Concat0(s[8..]) : default, out frac)) return false;
        }
        ns = ((h * 60L + m) * 60 + sec) * 1_000_000_000 + frac;
        return h < 24 && m < 60 && sec < 61;
    }

    private static ReadOnlySpan<byte> Concat0(ReadOnlySpan<byte> fraction)
    {
        var b = new byte[fraction.Length + 1];
        b[0] = (byte)'0';
        fraction.CopyTo(b.AsSpan(1));
        return b;
    }

    /// <summary><c>Wed Dec  2 12:00:00 2026</c> (ctime, as <c>dmesg -T</c> prints it).</summary>
    private static bool TryCtime(ReadOnlySpan<byte> s, out long ns)
    {
        ns = 0;
        var words = System.Text.Encoding.ASCII.GetString(s).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length != 5) return false;
        int month = Array.IndexOf(Months, words[1]);
        if (month < 0 || !int.TryParse(words[2], NumberStyles.None, CultureInfo.InvariantCulture, out int day)
            || !int.TryParse(words[4], NumberStyles.None, CultureInfo.InvariantCulture, out int year)) return false;
        if (year < 1970 || year > 9999 || day < 1 || day > DateTime.DaysInMonth(year, month + 1)) return false;
        if (!TryClock(System.Text.Encoding.ASCII.GetBytes(words[3]), out long dayNs)) return false;
        ns = (new DateTime(year, month + 1, day, 0, 0, 0, DateTimeKind.Utc).Ticks - DateTime.UnixEpoch.Ticks) * 100 + dayNs;
        return true;
    }
}
