using System.Diagnostics;
using TraceForensics.Tests.Cli;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Tui;

/// <summary>The published native tracefx (<c>build.ps1 publish</c>) hands <c>tui</c> to the UI's own native build,
/// <c>tracefx-tui</c> beside it (Terminal.Gui compiled ahead of time): tests/e2e/tui-tmux.sh through it, in tmux, with
/// the UI drawn by a tracefx-tui process, and a signal to tracefx passed on to it. Skips where the tool is not published
/// from these sources.</summary>
[Collection("terminal")]
public class TuiNativeBuildTmuxTests
{
    private const string Tmux = "/usr/bin/tmux";

    private static string SkipUnlessPublished()
    {
        Skip.IfNot(File.Exists(Tmux), "tmux is not installed (.ci/run installs it)");
        NativeBuildTests.SkipUnlessPublishedFromTheseSources();
        var ui = Path.Combine(Path.GetDirectoryName(NativeBuildTests.Native)!, "tracefx-tui");
        Skip.IfNot(File.Exists(ui), $"the UI's native build is not published ({ui}): dotnet pwsh build.ps1 publish");
        return ui;
    }

    [SkippableFact]
    public void Native_tui_is_drawn_by_tracefx_tui_and_shows_the_deadlock_and_the_stall()
    {
        SkipUnlessPublished();
        TuiTmuxEndToEndTests.RunScript(NativeBuildTests.Native, "tracefx-tui");
    }

    /// <summary>A SIGHUP sent to tracefx alone (kill -HUP, not the terminal's hangup to the whole foreground group) ends
    /// tracefx-tui too: it used to end tracefx only, and tracefx-tui stayed behind on the terminal the shell took back.</summary>
    [SkippableFact]
    public void A_hangup_sent_to_tracefx_ends_tracefx_tui_too()
    {
        SkipUnlessPublished();
        using var dir = new TempDirectory();
        var socket = Path.Combine(dir.Path, "tmux.socket"); // a server of its own, its socket removed with the directory
        string Run(string program, params string[] args)
        {
            var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEndAsync();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            return output.Result;
        }
        string Tmuxed(params string[] args) => Run(Tmux, ["-S", socket, .. args]);
        T WaitFor<T>(Func<T?> probe, string what) where T : class
        {
            var deadline = DateTime.UtcNow.AddMinutes(2); // a hang guard, not a timing assertion
            while (true)
            {
                if (probe() is { } found) return found;
                if (DateTime.UtcNow > deadline) Assert.Fail($"{what} never came; the screen was:\n{Tmuxed("capture-pane", "-p", "-t", "hup")}");
                Thread.Sleep(200);
            }
        }
        // The process's name while it runs (null once it ended, a zombie included: "pid (comm) Z ...", proc(5)).
        static string? Comm(string pid)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z') ? null : File.ReadAllText($"/proc/{pid}/comm").Trim();
            }
            catch (IOException) { return null; }
        }
        static string[] Children(string pid)
        {
            try
            {
                return Directory.GetDirectories($"/proc/{pid}/task")
                    .SelectMany(t => File.ReadAllText(Path.Combine(t, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
            }
            catch (IOException) { return []; } // it or one of its threads ended meanwhile
        }
        string? ui = null;
        try
        {
            // An interactive shell (job control, as a user has) runs tracefx, as a user types it.
            Tmuxed("new-session", "-d", "-s", "hup", "-x", "120", "-y", "40", "bash --norc --noprofile");
            var shell = Tmuxed("display", "-p", "-t", "hup", "#{pane_pid}").Trim();
            Tmuxed("send-keys", "-t", "hup", $"'{NativeBuildTests.Native}' tui '{TestPaths.RepoRoot}/sample-traces/lkml-xfs-kprobe-holder.ftrace.txt'", "Enter");
            var tracefx = WaitFor(() => Children(shell).FirstOrDefault(c => Comm(c) == "tracefx"), "tracefx");
            ui = WaitFor(() => Children(tracefx).FirstOrDefault(c => Comm(c) == "tracefx-tui"), "tracefx-tui");
            WaitFor(() => Tmuxed("capture-pane", "-p", "-t", "hup") is var s && s.Contains("F1 deadlock") ? s : null, "the UI");
            Run("kill", "-HUP", tracefx);
            WaitFor(() => Comm(tracefx) == null ? "" : null, "the end of tracefx");
            var end = DateTime.UtcNow.AddSeconds(30); // a hang guard: it ends at once when the signal is passed on
            while (Comm(ui) == "tracefx-tui" && DateTime.UtcNow < end) Thread.Sleep(200);
            Assert.True(Comm(ui) != "tracefx-tui", "tracefx-tui still runs after tracefx took a SIGHUP and ended");
            ui = null;
            // It ended as q ends it: the terminal's own screen is back (it was left in the UI's alternate screen, the
            // UI's last picture under the shell's prompt).
            Tmuxed("send-keys", "-t", "hup", "echo shell-is-back", "Enter");
            var screen = WaitFor(() => Tmuxed("capture-pane", "-p", "-t", "hup") is var s && s.Contains("\nshell-is-back") ? s : null, "the shell");
            Assert.DoesNotContain("F1 deadlock", screen);
        }
        finally
        {
            if (ui != null && Comm(ui) == "tracefx-tui") Run("kill", "-KILL", ui);
            Tmuxed("kill-server");
        }
    }
}
