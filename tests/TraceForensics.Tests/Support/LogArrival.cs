using System.Text;
using System.Text.RegularExpressions;

namespace TraceForensics.Tests.Support;

/// <summary>Turns a raw kernel log (the kernel's own lines, <c>[ secs.usecs]</c> and maybe a caller id before each) into
/// the forms in which logs arrive, by rule, as the tools and mail clients write them: the tests feed both to the reader
/// and compare findings. Text is handled as Latin-1 so every byte of the original (a garbled comm) survives.</summary>
public static class LogArrival
{
    public static readonly Encoding Bytes = Encoding.Latin1;

    /// <summary>The forms, by name (the name is the test case).</summary>
    public static readonly string[] Forms =
    [
        "crlf", "ansi-caller", "quoted", "quoted-deep", "quoted-wrapped", "journal-short", "journal-precise",
        "journal-monotonic", "journal-iso", "dmesg-T", "dmesg-iso", "syslog",
    ];

    /// <summary>Forms that keep the kernel's seconds (findings' times compare equal); the others keep wall time.</summary>
    public static bool KeepsKernelTime(string form) => form is "crlf" or "ansi-caller" or "quoted" or "quoted-deep" or "quoted-wrapped"
        or "journal-monotonic" or "syslog";

    private static readonly Regex KernelLine = new(@"^(?:<\d+>)?\[ *(\d+)\.(\d+)\](?:\[ *[TC]\d+\])? ?(.*)$", RegexOptions.CultureInvariant);
    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    private static readonly string[] Days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

    public static string Convert(string raw, string form)
    {
        var lines = raw.Split('\n');
        if (lines.Length > 0 && lines[^1].Length == 0) lines = lines[..^1];
        return form switch
        {
            "crlf" => string.Join("\r\n", lines) + "\r\n",
            "ansi-caller" => Join(lines.Select(AnsiCaller)),
            "quoted" => Quote(lines, "> ", reply: true),
            "quoted-deep" => Quote(lines, null, reply: true),
            "quoted-wrapped" => Join(Quote(lines, "> ", reply: false).Split('\n').SelectMany(l => Wrap(l, 76))),
            _ => Join(Timed(lines, form)),
        };
    }

    private static string Join(IEnumerable<string> lines) => string.Join("\n", lines) + "\n";

    /// <summary>A serial console with caller ids and <c>dmesg --color</c>: the time in green, the caller id added
    /// where the line has none.</summary>
    private static string AnsiCaller(string line)
    {
        var m = Regex.Match(line, @"^(<\d+>)?(\[ *\d+\.\d+\])(\[ *[TC]\d+\])?(.*)$");
        if (!m.Success) return line;
        var caller = m.Groups[3].Success ? m.Groups[3].Value : "[    C0]";
        return $"{m.Groups[1].Value}\u001b[32m{m.Groups[2].Value}\u001b[0m{caller}{m.Groups[4].Value}";
    }

    /// <summary>Mail quoting: every line behind the marker (<c>null</c>: one or two replies deep, marker forms
    /// alternating <c>&gt; &gt; </c>, <c>&gt;&gt; </c>, <c>&gt;&gt;</c>), with reply text between quoted lines.</summary>
    private static string Quote(string[] lines, string? marker, bool reply)
    {
        var sb = new StringBuilder("On Tue, 2 Dec 2026, someone wrote:\n");
        string[] deep = ["> > ", ">> ", ">>"];
        for (int i = 0; i < lines.Length; i++)
        {
            var m = marker ?? deep[i % deep.Length];
            if (lines[i].Length == 0) m = m.TrimEnd();
            sb.Append(m).Append(lines[i]).Append('\n');
            if (reply && i % 17 == 16) sb.Append("\nThis is where it goes wrong, I think.\n\n");
        }
        if (reply) sb.Append("\nThanks,\nA. Reviewer\n");
        return sb.ToString();
    }

    /// <summary>A mail client's hard wrap: a line longer than the width is broken at its last space within it (the space
    /// dropped); the pieces keep the quote marker.</summary>
    private static IEnumerable<string> Wrap(string line, int width)
    {
        var quote = Regex.Match(line, @"^(?:> ?)+").Value;
        while (line.Length > width)
        {
            int sp = line.LastIndexOf(' ', width - 1);
            if (sp <= quote.Length) break;
            yield return line[..sp];
            line = quote + line[(sp + 1)..];
        }
        yield return line;
    }

    /// <summary>journalctl and syslog lines, and <c>dmesg -T</c>/<c>--time-format iso</c>: the kernel's seconds taken as
    /// seconds after boot at 2026-12-02 00:00:00 UTC. A line without a time takes the last one (journald stamps every
    /// record).</summary>
    private static IEnumerable<string> Timed(string[] lines, string form)
    {
        var boot = new DateTime(2026, 12, 2, 0, 0, 0, DateTimeKind.Utc);
        string secs = "0", frac = "000000";
        foreach (var line in lines)
        {
            var m = KernelLine.Match(line);
            var text = line;
            if (m.Success)
            {
                secs = m.Groups[1].Value;
                frac = m.Groups[2].Value;
                text = m.Groups[3].Value;
            }
            var at = boot.AddSeconds(long.Parse(secs, System.Globalization.CultureInfo.InvariantCulture));
            string month = Months[at.Month - 1];
            yield return form switch
            {
                "journal-short" => $"{month} {at.Day:00} {at:HH:mm:ss} host kernel: {text}",
                "journal-precise" => $"{month} {at.Day:00} {at:HH:mm:ss}.{frac} host kernel: {text}",
                "journal-monotonic" => $"[{secs,5}.{frac}] host kernel: {text}",
                "journal-iso" => $"{at:yyyy-MM-dd'T'HH:mm:ss}+0000 host kernel: {text}",
                "dmesg-T" => $"[{Days[(int)at.DayOfWeek]} {month} {at.Day,2} {at:HH:mm:ss} {at.Year}] {text}",
                "dmesg-iso" => $"{at:yyyy-MM-dd'T'HH:mm:ss},{frac}+00:00 {text}",
                // rsyslog's traditional format: the kernel's own "[ secs]" stays in the message
                "syslog" => $"{month} {at.Day,2} {at:HH:mm:ss} host kernel: {(m.Success ? $"[{secs,5}.{frac}] " : "")}{text}",
                _ => throw new ArgumentException(form),
            };
        }
    }
}
