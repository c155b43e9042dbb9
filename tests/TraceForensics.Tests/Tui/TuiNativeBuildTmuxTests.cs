using System.Diagnostics;
using TraceForensics.Tests.Cli;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Tui;

/// <summary>The published native tracefx (<c>build.ps1 publish</c>) hands <c>tui</c> to the UI's own native build,
/// <c>tracefx-tui</c> beside it (Terminal.Gui compiled ahead of time): tests/e2e/tui-tmux.sh through it, in tmux, with
/// the UI drawn by a tracefx-tui process. Skips where the tool is not published from these sources.</summary>
[Collection("terminal")]
public class TuiNativeBuildTmuxTests
{
    [SkippableFact]
    public void Native_tui_is_drawn_by_tracefx_tui_and_shows_the_deadlock_and_the_stall()
    {
        Skip.IfNot(File.Exists("/usr/bin/tmux"), "tmux is not installed (.ci/run installs it)");
        NativeBuildTests.SkipUnlessPublishedFromTheseSources();
        var ui = Path.Combine(Path.GetDirectoryName(NativeBuildTests.Native)!, "tracefx-tui");
        Skip.IfNot(File.Exists(ui), $"the UI's native build is not published ({ui}): dotnet pwsh build.ps1 publish");
        var script = Path.Combine(TestPaths.RepoRoot, "tests", "e2e", "tui-tmux.sh");
        var psi = new ProcessStartInfo("bash", [script, NativeBuildTests.Native, "tracefx-tui"])
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
