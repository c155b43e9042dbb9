using System.Text;
using TraceForensics.Events.Model;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Hostile;

/// <summary>Text from a trace (task names, stack frames, paths) holding terminal sequences, control characters, bidi
/// overrides and backslashes reaches no output as such: every `analyze`, `report`, `stats` and `replay` format and the
/// TUI (screen and export) show it escaped, and the escaping is unambiguous (a literal <c>\x1b</c> is not an ESC).</summary>
[Collection("terminal")] // the TUI part: Terminal.Gui keeps process-wide state
public class HostileTextTests
{
    private static string T(double x) => x.ToString("0.000000", System.Globalization.CultureInfo.InvariantCulture);

    // ESC sequences (colour, clear screen), an OSC title ended by ESC \, U+202E, a CR inside, a literal backslash text.
    private const string Worker = "kw\u001b]0;pwned\u001b\\\u202Eevil\\x1b[31m";
    private const string Writer = "d\rd\u001b[31m\u2066";
    private const string Frame = "\u202Eevil\u001b[2J\\x1b[31m_wait";

    /// <summary>A loop worker stuck in freeze protection and a writer waiting for writeback of a page of its device
    /// (a stall with a chain, tasks and stacks), the names and a frame hostile; a frame with BEL and NUL too.</summary>
    public static string Trace()
    {
        var sb = new StringBuilder();
        sb.Append($"          writer-500     [000] .....   {T(100.0)}: block_bio_queue: 7,2 WS 2048 + 8 [writer]\n");
        sb.Append($"          writer-500     [000] .....   {T(100.02)}: workqueue_queue_work: work struct=000000000000aa02 function=loop_rootcg_workfn workqueue=loop2 req_cpu=8192 cpu=4294967295\n");
        sb.Append($"   {Worker}-3693    [001] .....   {T(100.03)}: workqueue_execute_start: work struct 000000000000aa02: function loop_rootcg_workfn\n");
        sb.Append($"   {Worker}-3693    [001] d..2.   {T(100.04)}: sched_switch: prev_comm={Worker} prev_pid=3693 prev_prio=120 prev_state=D ==> next_comm=swapper/1 next_pid=0 next_prio=120\n");
        sb.Append($"   {Worker}-3693    [001] d..2.   {T(100.04001)}: <stack trace>\n");
        sb.Append($" => __schedule\n => schedule\n => {Frame}\n => percpu_rwsem_wait\n => __percpu_down_read\n => lo_rw_aio\n => loop_process_work\n => process_one_work\n => a\u0007b\0c\n");
        sb.Append($"   {Writer}-600     [000] .....   {T(100.2)}: folio_wait_writeback: bdi 7:2: ino=12 index=3\n");
        sb.Append($"   {Writer}-600     [000] d..2.   {T(100.20001)}: sched_switch: prev_comm={Writer} prev_pid=600 prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120\n");
        sb.Append($"            bash-3954    [000] .....   {T(110.0)}: sched_waking: comm=sshd pid=700 prio=120 target_cpu=000\n");
        return sb.ToString();
    }

    /// <summary>What no output may hold: C0 but the line feed, DEL, C1, the line/paragraph separators and the bidi
    /// embeddings, overrides and isolates (checked here on its own, not with the sanitizer's list).</summary>
    internal static void AssertNoControl(string what, string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bool bad = (c < 0x20 && c != '\n') || (c >= 0x7F && c <= 0x9F) || c is '\u2028' or '\u2029' or '\u061C' or '\u200E' or '\u200F'
                       || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');
            Assert.False(bad, $"{what}: U+{(int)c:X4} at {i}: ...{text[Math.Max(0, i - 40)..Math.Min(text.Length, i + 20)].Replace("\u001b", "<ESC>")}...");
        }
    }

    private static string Bytes(string path) => Encoding.UTF8.GetString(File.ReadAllBytes(path));

    [Fact]
    public void No_control_character_from_the_trace_reaches_any_format_of_any_command()
    {
        var trace = Run.TempFile(Trace());
        var dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var runs = new List<(string What, string[] Args)>();
            foreach (var format in new[] { "text", "json" })
            {
                runs.Add(($"analyze {format}", ["analyze", "--format", format, "--fail-on", "none", trace]));
                runs.Add(($"stats {format}", ["stats", "--format", format, trace]));
            }
            foreach (var format in new[] { "lkml", "markdown", "json", "dot" })
                runs.Add(($"report {format}", ["report", "--format", format, "--fail-on", "none", trace]));
            runs.Add(("replay", ["replay", "--at", "105", trace]));
            foreach (var (what, args) in runs)
            {
                var (exit, stdout, stderr) = Run.Cli(args);
                Assert.True(exit == 0, $"{what}: exit {exit}: {stderr}");
                AssertNoControl($"{what} stdout", stdout);
                AssertNoControl($"{what} stderr", stderr);
                // The same through -o: the file's bytes.
                var file = Path.Combine(dir, what.Replace(' ', '-'));
                Assert.Equal(0, Run.Cli([.. args, "-o", file]).Exit);
                AssertNoControl($"{what} -o", Bytes(file));
                Assert.Equal(stdout, Bytes(file));
            }
            var csv = Path.Combine(dir, "csv");
            Assert.Equal(0, Run.Cli("report", "--format", "csv", "--events", "--fail-on", "none", "-o", csv, trace).Exit);
            foreach (var table in Directory.GetFiles(csv)) AssertNoControl(table, Bytes(table));
            Assert.Contains("\\x1b]0;pwned", File.ReadAllText(Path.Combine(csv, "tasks.csv")));

            // Visible and unambiguous: the ESC of the trace is \x1b; its literal text "\x1b[31m" is \\x1b[31m.
            foreach (var format in new[] { "lkml", "markdown" })
            {
                var report = Run.Cli("report", "--format", format, "--fail-on", "none", trace).Stdout;
                Assert.Contains("kw\\x1b]0;pwned\\x1b\\\\\\u202eevil\\\\x1b[31m", report); // the worker's name
                Assert.Contains("\\u202eevil\\x1b[2J\\\\x1b[31m_wait", report);           // its frame, where it is blocked
                Assert.Contains("d\\x0dd\\x1b[31m\\u2066", report);                         // the writer, its CR visible
            }
            var text = Run.Cli("analyze", "--fail-on", "none", trace).Stdout;
            Assert.Contains("kw\\x1b]0;pwned\\x1b\\\\\\u202eevil\\\\x1b[31m:3693", text);
        }
        finally
        {
            File.Delete(trace);
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void The_tui_screen_and_its_export_show_the_names_escaped()
    {
        var trace = Run.TempFile(Trace());
        var exportDir = Directory.CreateTempSubdirectory().FullName;
        using var session = TraceForensics.Events.Reading.TraceSession.Open([trace]);
        var model = TraceForensics.Tui.TuiModel.Load(session, new TraceForensics.Analysis.AnalysisOptions());
        var app = Terminal.Gui.App.Application.Create();
        app.Init("ansi");
        var tui = new TraceForensics.Tui.TraceTui(app, model, TraceForensics.Cli.Commands.TuiCommand.Exporter(session, exportDir));
        var token = app.Begin(tui.Window);
        try
        {
            Assert.NotNull(tui.SelectedFinding);
            app.LayoutAndDraw(true);
            tui.ExpandChain();
            app.LayoutAndDraw(true);
            var screen = app.Driver!.ToString() ?? "";
            AssertNoControl("tui screen", screen);
            Assert.Contains("\\x1b]0;pwned", screen);
            tui.Export();
            var exported = Assert.Single(Directory.GetFiles(exportDir));
            AssertNoControl("tui export", Bytes(exported));
            Assert.Contains("\\u202eevil\\x1b[2J\\\\x1b[31m_wait", Bytes(exported));
        }
        finally
        {
            app.End(token!);
            tui.Window.Dispose();
            app.Dispose();
            File.Delete(trace);
            Directory.Delete(exportDir, true);
        }
    }

    [Fact]
    public void The_sanitizer_escapes_every_control_and_the_backslash_and_the_output_guard_catches_what_a_writer_forgot()
    {
        Assert.Equal("a\\x1bb\\x07c\\x00d\\x0de\\x7f\\x9b\\u202e\\u2066\\\\x1b", UntrustedText.ForTerminal("a\u001bb\u0007c\0d\re\u007f\u009b\u202e\u2066\\x1b"));
        Assert.Equal("plain kworker/u8:1", UntrustedText.ForTerminal("plain kworker/u8:1"));
        // A writer that writes trace text unsanitized: the output path still lets no control character through.
        var stdout = new StringWriter();
        Assert.True(TraceForensics.Cli.Output.CommandOutput.Emit(null, stdout, TextWriter.Null,
            TraceForensics.Cli.Output.CommandOutput.Text(w => w.WriteLine("evil\u001b]0;t\u0007\u202e\\ok"))));
        Assert.Equal("evil\\x1b]0;t\\x07\\u202e\\ok\n", stdout.ToString());
    }
}
