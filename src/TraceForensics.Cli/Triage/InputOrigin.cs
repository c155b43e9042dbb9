using System.Text;
using System.Text.RegularExpressions;

namespace TraceForensics.Cli.Triage;

/// <summary>Where a triage input comes from: its name (a path, or <c>ARCHIVE!MEMBER</c> for a member of a tar), the
/// host and boot the log names (null where it names none), and when it was written (the file's or the tar member's
/// modification time, UTC).</summary>
public sealed partial record InputOrigin(string Name, DateTime? Seen, string? Host = null, string? Boot = null)
{
    /// <summary>The origin with the host and boot read from the head of the log: syslog and <c>journalctl</c> lines name
    /// the host before <c>kernel:</c> (<c>Dec 02 12:00:00 host kernel: </c>, the ISO and monotonic forms too:
    /// systemd's journalctl output modes, RFC 3164); <c>journalctl</c> across boots prints <c>-- Boot ID --</c>
    /// (the boot's 128-bit id, /proc/sys/kernel/random/boot_id) where each boot starts. The first of each is kept.</summary>
    public InputOrigin WithHead(ReadOnlySpan<byte> head)
    {
        string text = Encoding.UTF8.GetString(head);
        string? host = Host, boot = Boot;
        foreach (var line in text.Split('\n'))
        {
            if (host is null && SyslogHost().Match(line) is { Success: true } h) host = h.Groups[1].Value;
            if (boot is null && JournalBoot().Match(line) is { Success: true } b) boot = b.Groups[1].Value;
            if (host is not null && boot is not null) break;
        }
        return this with { Host = host, Boot = boot };
    }

    // "Dec  2 12:00:00 host kernel:", "Dec 02 12:00:00.123456 host kernel:", "2026-12-02T12:00:00+0000 host kernel:",
    // "[  376.749647] host kernel:"
    [GeneratedRegex(@"^(?:>\s*)*(?:[A-Z][a-z]{2} [ 0-9]?[0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(?:Z|[+-][0-9]{2}:?[0-9]{2})?|\[\s*[0-9]+\.[0-9]+\]) ([A-Za-z0-9][A-Za-z0-9._-]{0,62}) kernel: ")]
    private static partial Regex SyslogHost();

    [GeneratedRegex(@"^-- Boot ([0-9a-f]{32}) --")]
    private static partial Regex JournalBoot();
}
