using System.Diagnostics;
using TraceForensics.Capture;
using TraceForensics.Tests.Support;
using TraceForensics.Tests.Tui;

namespace TraceForensics.Tests.Live;

/// <summary>`tracefx tui --live` on this machine's kernel (root, tracefs, tmux; skipped elsewhere with the reason): the
/// real binary in a tmux terminal for a few seconds while dd writes with fsync; the event log follows the end (the
/// status line says so), q quits with exit 0, and the watch's instance is gone.</summary>
[Collection("live kernel")]
public class TuiLiveSmokeTests
{
    [SkippableFact]
    public void Tui_live_follows_the_running_kernel_and_q_quits_leaving_nothing_armed()
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "tui --live needs root");
        Skip.If(Tracefs.Find(out var why) is null, why ?? "no tracefs");
        Skip.IfNot(File.Exists("/usr/bin/tmux"), "tmux is not installed (.ci/run installs it)");
        using var work = new TempDirectory();
        var socket = $"tfx-live-{Environment.ProcessId}"; // a tmux server of its own, killed at the end
        var rc = Path.Combine(work.Path, "rc");
        var err = Path.Combine(work.Path, "stderr");
        var dll = Path.Combine(AppContext.BaseDirectory, "tracefx.dll");
        string Tmux(params string[] args)
        {
            using var p = Process.Start(new ProcessStartInfo("tmux", ["-L", socket, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return output;
        }
        try
        {
            Tmux("new-session", "-d", "-s", "live", "-x", "200", "-y", "50",
                $"dotnet '{dll}' tui --live -o '{Path.Combine(work.Path, "incidents")}' --window 5 --buffer-kb 1024 2>'{err}'; echo $? >'{rc}'");
            // A few seconds of a small workload; the screen read until the log has events and follows the end (60 s: a
            // bound for a loaded machine, not a timing).
            var clock = Stopwatch.StartNew();
            string screen = "";
            while (clock.Elapsed < TimeSpan.FromSeconds(60) && !File.Exists(rc))
            {
                using (var dd = Process.Start("dd", ["if=/dev/zero", $"of={Path.Combine(work.Path, "written")}", "bs=64k", "count=64", "conv=fsync", "status=none"]))
                    dd.WaitForExit();
                screen = Tmux("capture-pane", "-p", "-t", "live");
                if (clock.Elapsed > TimeSpan.FromSeconds(3) && screen.Contains("live: following the end") && screen.Contains("ring buffer:")) break;
                Thread.Sleep(300);
            }
            Assert.False(File.Exists(rc), $"tui --live ended by itself: {(File.Exists(err) ? File.ReadAllText(err) : "")}");
            Assert.Contains("live: following the end", screen);
            Assert.Contains("ring buffer:", screen); // event lines of the watch's replay
            Tmux("send-keys", "-t", "live", "q");
            clock.Restart();
            while (!File.Exists(rc) && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(100);
            Assert.True(File.Exists(rc), "q did not quit");
            Thread.Sleep(100); // the shell's echo finished writing
            var stderr = File.ReadAllText(err);
            Assert.True(File.ReadAllText(rc).Trim() == "0", stderr);
            // The watch's lines, printed once the UI is gone: where it armed, and its end.
            var instance = stderr.Split('\n').Select(l => System.Text.RegularExpressions.Regex.Match(l, @"watching \d+ events in (\S+)"))
                .First(m => m.Success).Groups[1].Value;
            Assert.Contains("tracefx: watched ", stderr);
            var path = Path.IsPathRooted(instance) ? instance : Path.Combine(Tracefs.DefaultMount, "instances", instance);
            Assert.False(Directory.Exists(path), "instance left behind: " + stderr);
        }
        finally
        {
            Tmux("kill-server");
        }
    }
}
