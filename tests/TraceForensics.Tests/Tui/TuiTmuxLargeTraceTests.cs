using System.Diagnostics;
using System.Text.RegularExpressions;

namespace TraceForensics.Tests.Tui;

/// <summary>The real binary's terminal UI in tmux on a large generated trace: it opens, the load ends, G shows the last
/// event, and the process's peak RSS (VmHWM from /proc, read before it quits) stays within a generous bound. No timing:
/// the waits only guard against a hang.</summary>
[Collection("terminal")]
public class TuiTmuxLargeTraceTests
{
    private const string Tmux = "/usr/bin/tmux";

    /// <summary>Peak RSS allowed: the index, the checkpoints and 32 decoded blocks, flat in the trace's length (about
    /// 150 MB measured on 4.7 M events), well under this.</summary>
    private const long MaxRssMb = 400;

    /// <summary><paramref name="native"/>: through the published native tracefx, which hands tui to tracefx-tui (the
    /// UI's native build; its process is the one measured), else the managed build through <c>dotnet</c>.</summary>
    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_large_trace_opens_G_reaches_its_last_event_and_memory_stays_bounded(bool native)
    {
        Skip.IfNot(File.Exists(Tmux), "tmux is not installed (.ci/run installs it)");
        if (native)
        {
            Cli.NativeBuildTests.SkipUnlessPublishedFromTheseSources();
            Skip.IfNot(File.Exists(Path.Combine(Path.GetDirectoryName(Cli.NativeBuildTests.Native)!, "tracefx-tui")),
                       "the UI's native build (tracefx-tui) is not published: dotnet pwsh build.ps1 publish");
        }
        using var dir = new TempDirectory();
        const int switches = 400_000;
        var path = TuiLargeTraceTests.Generate(switches, dir.Path);
        var dll = Path.Combine(AppContext.BaseDirectory, "tracefx.dll");
        var socket = Path.Combine(dir.Path, "tmux.socket"); // a server of its own, its socket removed with the directory
        string Run(params string[] args)
        {
            var psi = new ProcessStartInfo(Tmux) { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add("-S");
            psi.ArgumentList.Add(socket);
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEndAsync();
            var error = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"tmux {string.Join(' ', args)}: {error}");
            return output.Result;
        }
        string Screen() => Run("capture-pane", "-p", "-t", "tfx");
        string WaitFor(string pattern)
        {
            var deadline = DateTime.UtcNow.AddMinutes(10); // a hang guard, not a timing assertion
            while (true)
            {
                var screen = Screen();
                if (Regex.IsMatch(screen, pattern)) return screen;
                Assert.False(screen.Contains("could not load"), screen);
                if (DateTime.UtcNow > deadline) Assert.Fail($"'{pattern}' never appeared; the screen was:\n{screen}");
                Thread.Sleep(200);
            }
        }
        try
        {
            var command = native ? $"exec '{Cli.NativeBuildTests.Native}' tui '{path}'" : $"exec dotnet '{dll}' tui '{path}'";
            Run("new-session", "-d", "-s", "tfx", "-x", "160", "-y", "50", command);
            int pid = int.Parse(Run("display", "-p", "-t", "tfx", "#{pane_pid}").Trim());
            int count = switches + 2;
            // The load's end: the cursor before the first event, the log's reading named on the status line.
            WaitFor($@"\(0/{count}\) log: offsets");
            if (native)
            {
                // The native tracefx waits for tracefx-tui, the process that loads and draws.
                var child = Directory.EnumerateDirectories($"/proc/{pid}/task").SelectMany(t => File.ReadAllText(Path.Combine(t, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries)).Single();
                pid = int.Parse(child);
                Assert.Equal("tracefx-tui", File.ReadAllText($"/proc/{pid}/comm").Trim());
            }
            Run("send-keys", "-t", "tfx", "G");
            var screen = WaitFor($@"\({count}/{count}\)");
            Assert.Contains("> ", screen.Split('\n').Single(l => l.Contains("lasttask-999 sched_switch")));
            Assert.Contains("F1 hung-task", screen);
            var hwm = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("VmHWM:"));
            long mb = long.Parse(Regex.Match(hwm, @"\d+").Value) / 1024;
            Assert.True(mb < MaxRssMb, $"peak RSS {mb} MB for {count:N0} events");
            Run("send-keys", "-t", "tfx", "q");
        }
        finally
        {
            try { Run("kill-server"); } catch (Exception e) when (e is Xunit.Sdk.XunitException or InvalidOperationException) { }
        }
    }
}
