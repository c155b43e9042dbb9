using System.Diagnostics;
using System.Text.Json;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Dotnet;

/// <summary>Starts tests/DeadlockApp (which deadlocks on purpose), dumps it with createdump or attaches to it, and
/// checks the analysis finds the cycle with the right threads and lock objects. The process is killed and the dump
/// deleted in finally.</summary>
[Collection("dotnet processes")]
public class DotnetDeadlockTests
{
    private static string DeadlockApp()
    {
        var bin = AppContext.BaseDirectory; // .../tests/TraceForensics.Tests/bin/CONFIG/net10.0/
        var path = Path.GetFullPath(Path.Combine(bin, "..", "..", "..", "..", "DeadlockApp", "bin",
            new DirectoryInfo(bin).Parent!.Name, "net10.0", "DeadlockApp.dll"));
        Skip.IfNot(File.Exists(path), $"DeadlockApp is not built at {path}");
        return path;
    }

    private static Process Start(string mode)
    {
        var psi = new ProcessStartInfo("dotnet", [DeadlockApp(), mode]) { RedirectStandardOutput = true, UseShellExecute = false };
        var p = Process.Start(psi)!;
        var ready = p.StandardOutput.ReadLineAsync();
        if (!ready.Wait(TimeSpan.FromSeconds(30)) || ready.Result != "READY")
        {
            p.Kill(true);
            throw new InvalidOperationException($"DeadlockApp {mode} did not become ready");
        }
        return p;
    }

    private static string CreateDump(int pid, string path, string kind = "-h")
    {
        var createdump = Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "createdump");
        Skip.IfNot(File.Exists(createdump), "createdump is not beside the runtime");
        using var p = Process.Start(new ProcessStartInfo(createdump, [kind, "-f", path, pid.ToString()]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        p.WaitForExit();
        Skip.If(p.ExitCode != 0 || !File.Exists(path), $"createdump could not dump the process: {p.StandardError.ReadToEnd()}");
        return path;
    }

    [SkippableTheory]
    [InlineData("abba", 2, "waits-for-monitor", "lock:LockObject@0x")]
    [InlineData("ring3", 3, "waits-for-monitor", "lock:LockObject@0x")]
    [InlineData("lock", 2, "waits-for-lock", "lock:System.Threading.Lock@0x")]
    public void A_lock_cycle_in_a_dump_is_a_deadlock_with_its_threads_and_objects(string mode, int threads, string relation, string lockNode)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "Linux cores");
        var dump = Path.Combine(Path.GetTempPath(), $"tfx-{mode}-{Guid.NewGuid():N}.dmp");
        using var app = Start(mode);
        try
        {
            CreateDump(app.Id, dump);
            var (exit, stdout, stderr) = Run.Cli("analyze", "--format", "json", dump);
            Assert.True(exit == 1, stderr);
            using var doc = JsonDocument.Parse(stdout);
            Assert.Equal("deadlock", doc.RootElement.GetProperty("verdict").GetString());
            Assert.Equal("dotnet-dump", doc.RootElement.GetProperty("inputs")[0].GetProperty("format").GetString());
            var f = doc.RootElement.GetProperty("findings")[0];
            var chain = f.GetProperty("chain").EnumerateArray().ToList();
            Assert.Equal(2 * threads, chain.Count);
            Assert.Equal(threads, chain.Count(e => e.GetProperty("relation").GetString() == relation));
            Assert.All(chain.Where(e => e.GetProperty("relation").GetString() == relation),
                e => Assert.StartsWith(lockNode, e.GetProperty("to").GetString()));
            Assert.All(chain.Where(e => e.GetProperty("relation").GetString() == "held-by"),
                e => Assert.Equal("observed", e.GetProperty("evidence").GetString()));
            Assert.Equal(threads, f.GetProperty("tasks").GetArrayLength());
            Assert.All(f.GetProperty("tasks").EnumerateArray(),
                t => Assert.Contains(t.GetProperty("pid").GetInt32(), app.Threads.Cast<ProcessThread>().Select(x => x.Id)));
            Assert.Contains(f.GetProperty("stacks").EnumerateObject().First().Value.EnumerateArray(),
                x => x.GetString()!.Contains(mode == "lock" ? "System.Threading.Lock." : "System.Threading.Monitor.Enter"));
            // The same exports as for traces.
            var (_, lkml, _) = Run.Cli("report", "--format", "lkml", dump);
            Assert.Contains("TraceForensics: deadlock detected (F1)", lkml);
            Assert.All(lkml.Split('\n'), l => Assert.True(l.Length <= 80, l));
        }
        finally
        {
            app.Kill(true);
            File.Delete(dump);
        }
    }

    [SkippableFact]
    public void A_wait_nobody_will_end_is_a_hung_chain_with_its_root_unknown()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "Linux cores");
        var dump = Path.Combine(Path.GetTempPath(), $"tfx-mre-{Guid.NewGuid():N}.dmp");
        using var app = Start("mre");
        try
        {
            CreateDump(app.Id, dump);
            var (exit, stdout, stderr) = Run.Cli("analyze", "--format", "json", "--fail-on", "none", dump);
            Assert.True(exit == 0, stderr);
            using var doc = JsonDocument.Parse(stdout);
            var f = Assert.Single(doc.RootElement.GetProperty("findings").EnumerateArray());
            Assert.Equal("hung-task", f.GetProperty("kind").GetString());
            Assert.Equal("lock:a wait handle (owner unknown)", f.GetProperty("root").GetString());
            Assert.Equal("inferred", f.GetProperty("chain")[0].GetProperty("evidence").GetString());
        }
        finally
        {
            app.Kill(true);
            File.Delete(dump);
        }
    }

    [SkippableFact]
    public void A_minidump_without_heap_gives_stacks_and_says_owners_need_a_heap()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "Linux cores");
        var dump = Path.Combine(Path.GetTempPath(), $"tfx-mini-{Guid.NewGuid():N}.dmp");
        using var app = Start("abba");
        try
        {
            CreateDump(app.Id, dump, "-n");
            var (exit, stdout, stderr) = Run.Cli("analyze", dump);
            Assert.True(exit is 0 or 1, stderr);
            Assert.Contains("lock owners need a dump with heap (createdump -h)", stderr);
            Assert.StartsWith("verdict:", stdout);
        }
        finally
        {
            app.Kill(true);
            File.Delete(dump);
        }
    }

    [SkippableFact]
    public void Attaching_to_the_live_process_finds_the_same_cycle()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess, "attaching needs Linux and ptrace rights (root here)");
        using var app = Start("abba");
        try
        {
            // The real binary, in its own process, as a user runs it. An attach made inside the test host hung once: the
            // target is the host's own child, and ptrace ties an attach to one thread, which a thread pool does not keep.
            var psi = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "tracefx.dll"), "dotnet", "--pid", app.Id.ToString()])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var tracefx = Process.Start(psi)!;
            var stdout = tracefx.StandardOutput.ReadToEndAsync();
            var stderr = tracefx.StandardError.ReadToEndAsync();
            if (!tracefx.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                tracefx.Kill(true);
                Assert.Fail("tracefx dotnet --pid did not finish in 60 s");
            }
            Assert.True(tracefx.ExitCode == 1, stderr.Result);
            Assert.StartsWith("verdict: deadlock", stdout.Result);
            Assert.Contains("waits for lock LockObject@0x", stdout.Result);
        }
        finally
        {
            app.Kill(true);
        }
    }
}
