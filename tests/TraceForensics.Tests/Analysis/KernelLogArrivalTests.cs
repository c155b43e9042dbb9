using TraceForensics.Analysis;
using TraceForensics.Events.Reading;
using TraceForensics.Ingest.Diagnostics;
using TraceForensics.Ingest.Formats;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Analysis;

/// <summary>Kernel logs as they arrive (issue 14): the real reports of ../shared (the syzkaller corpus's hung-task and
/// lockdep reports, the real captures' dmesg), converted by <see cref="LogArrival"/> into each arrival form, give the
/// same findings as the raw originals; the format is detected, not given.</summary>
public class KernelLogArrivalTests
{
    public static IEnumerable<object[]> Cases() => LogArrival.Forms.Select(f => new object[] { f });

    /// <summary>The raw logs: every corpus report and every real dmesg capture.</summary>
    private static List<string> RawLogs()
    {
        var shared = Require.Shared();
        var files = new List<string>();
        foreach (var dir in new[] { "hung", "lockdep" })
            files.AddRange(Directory.GetFiles(Path.Combine(shared, "corpus", "syzkaller", dir)).Order(StringComparer.Ordinal));
        if (TestPaths.RealTraces is { } real) files.AddRange(Directory.GetFiles(real, "*dmesg*").Order(StringComparer.Ordinal));
        return files;
    }

    private static AnalysisResult Run(byte[] bytes)
    {
        using var session = TraceSession.Open([("log", () => (Stream)new MemoryStream(bytes))]);
        return TraceAnalysis.Run(session, new AnalysisOptions());
    }

    /// <summary>What a reader of the findings sees, without the input's name or line numbers (the forms add lines);
    /// with the times when the form keeps the kernel's seconds.</summary>
    /// <summary>Forms that print whole seconds only: reports within one second have no order among them there, so the
    /// findings and a summary's list of tasks are compared as sets.</summary>
    private static bool WholeSeconds(string form) => form is "journal-short" or "journal-iso" or "dmesg-T";

    private static string Digest(AnalysisResult r, bool times, bool wholeSeconds = false) =>
        string.Join("\n", (wholeSeconds ? r.Findings.OrderBy(Analyze.Signature, StringComparer.Ordinal) : r.Findings.AsEnumerable()).Select(f =>
            $"{Analyze.Signature(f)} | {(wholeSeconds ? TaskList.Replace(f.Summary, "$1 tasks") : f.Summary)} | {(times ? f.AtNs : "")} | " +
            string.Join("; ", (wholeSeconds ? f.Tasks.OrderBy(t => t.Pid) : f.Tasks.AsEnumerable()).Select(t =>
                $"{t.Pid} {t.Comm} in {t.BlockedIn} {(times ? t.BlockedSinceNs : "")} {t.ReportedBlockedSeconds} wq {t.Workqueue} " +
                $"held [{string.Join(",", t.HeldLocks)}] stack [{string.Join(",", t.Stack)}]"))))
        + "\ndiagnostics: " + string.Join(",", r.Diagnostics.Kept.Where(d => d.Code != DiagnosticCodes.WallClock).Select(d => d.Code).Order(StringComparer.Ordinal));

    private static readonly System.Text.RegularExpressions.Regex TaskList = new(@"(\d+) tasks \([^)]*\)");
    private static readonly System.Text.RegularExpressions.Regex KernelTime = new(@"^(<\d+>)?\[ *\d+\.\d+\]", System.Text.RegularExpressions.RegexOptions.Multiline);

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void A_real_log_in_an_arrival_form_gives_the_findings_of_the_raw_log(string form)
    {
        int compared = 0, withFindings = 0;
        foreach (var path in RawLogs())
        {
            var raw = File.ReadAllBytes(path);
            var text = LogArrival.Bytes.GetString(raw);
            // A mail client's wrapped line is told from a new one by its missing time: only logs timed throughout.
            if (form == "quoted-wrapped" && text.Split('\n').SkipWhile(l => l.Length > 0).Skip(1)
                    .Any(l => l.Length > 0 && !KernelTime.IsMatch(l))) continue;
            var converted = LogArrival.Bytes.GetBytes(LogArrival.Convert(text, form));
            var want = Run(raw);
            var got = Run(converted);
            // a log without kernel times (a report pasted without them) has only the arrival's clock in any form
            bool times = LogArrival.KeepsKernelTime(form) && KernelTime.IsMatch(text);
            Assert.True(Digest(want, times, WholeSeconds(form)) == Digest(got, times, WholeSeconds(form)),
                $"{Path.GetFileName(path)} as {form}:\nraw:\n{Digest(want, true)}\n{form}:\n{Digest(got, true)}");
            compared++;
            if (want.Findings.Count > 0) withFindings++;
        }
        // 25 hung + 15 lockdep reports + the real dmesg; the wrapped form takes the ones timed on every line.
        Assert.True(form == "quoted-wrapped" ? compared >= 20 : compared >= 40, $"{compared} logs compared");
        Assert.True(withFindings * 4 >= compared * 3, $"only {withFindings} of {compared} logs give findings: the comparison would prove little");
    }

    [SkippableTheory]
    [InlineData("journal-short")]
    [InlineData("dmesg-T")]
    [InlineData("dmesg-iso")]
    [InlineData("journal-iso")]
    public void A_wall_clock_log_keeps_wall_time_and_says_so(string form)
    {
        var path = Path.Combine(Require.Shared(), "corpus", "syzkaller", "hung", "1001");
        var raw = LogArrival.Bytes.GetString(File.ReadAllBytes(path));
        var result = Run(LogArrival.Bytes.GetBytes(LogArrival.Convert(raw, form)));
        var note = Assert.Single(result.Diagnostics.Kept, d => d.Code == DiagnosticCodes.WallClock);
        Assert.Equal(DiagnosticSeverity.Info, note.Severity);
        // The report is at 1052 s after a boot at 2026-12-02 00:00:00 UTC (the year 2000 when the form prints none).
        var at = DateTimeOffset.FromUnixTimeMilliseconds(Assert.Single(result.Findings).AtNs / 1_000_000).UtcDateTime;
        Assert.Equal(new DateTime(form == "journal-short" ? 2000 : 2026, 12, 2, 0, 17, 32), at.AddTicks(-(at.Ticks % TimeSpan.TicksPerSecond)));
    }

    [SkippableFact]
    public void A_monotonic_journal_is_mapped_back_to_the_kernel_seconds_without_a_note()
    {
        var path = Path.Combine(Require.Shared(), "corpus", "syzkaller", "hung", "1001");
        var raw = File.ReadAllBytes(path);
        var result = Run(LogArrival.Bytes.GetBytes(LogArrival.Convert(LogArrival.Bytes.GetString(raw), "journal-monotonic")));
        Assert.DoesNotContain(result.Diagnostics.Kept, d => d.Code == DiagnosticCodes.WallClock);
        Assert.Equal(Assert.Single(Run(raw).Findings).AtNs, Assert.Single(result.Findings).AtNs);
    }

    [Theory]
    [InlineData("On Tue someone wrote:\n> [  1.0] INFO: task a:1 blocked for more than 3 seconds.\n")]
    [InlineData("Dec 02 12:00:00 host kernel: INFO: task a:1 blocked for more than 3 seconds.\n")]
    [InlineData("[Wed Dec  2 12:00:00 2026] INFO: task a:1 blocked for more than 3 seconds.\n")]
    [InlineData("2026-12-02T12:00:00,000000+00:00 INFO: task a:1 blocked for more than 3 seconds.\n")]
    [InlineData("\u001b[32m[    1.000000]\u001b[0m[    T1] INFO: task a:1 blocked for more than 3 seconds.\r\n")]
    public void Every_arrival_form_is_detected_as_a_kernel_log(string text)
    {
        var head = System.Text.Encoding.UTF8.GetBytes(text);
        Assert.Equal(TraceFormat.Dmesg, FormatDetector.Detect(head).Format);
    }
}
