using System.Diagnostics;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Tui;

/// <summary>Runs tests/e2e/tui-tmux.sh: the real binary's terminal UI in tmux, keys sent, screens checked.</summary>
[Collection("terminal")]
public class TuiTmuxEndToEndTests
{
    [SkippableFact]
    public void Real_binary_in_tmux_shows_the_deadlock_and_the_stall()
    {
        Skip.IfNot(File.Exists("/usr/bin/tmux"), "tmux is not installed (.ci/run installs it)");
        RunScript(Path.Combine(AppContext.BaseDirectory, "tracefx.dll"));
    }

    /// <summary>Runs tests/e2e/tui-tmux.sh with <paramref name="args"/> (the tool, and the process that must draw the
    /// UI) and asserts that it passed.</summary>
    internal static void RunScript(params string[] args)
    {
        var script = Path.Combine(TestPaths.RepoRoot, "tests", "e2e", "tui-tmux.sh");
        var psi = new ProcessStartInfo("bash", [script, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, stderr);
        Assert.Contains("tui e2e: ok", stdout.Result);
    }
}
