using System.Diagnostics;
using System.Text;
using TraceForensics.Tests.Golden;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Cli;

/// <summary>The native build (<c>dotnet pwsh build.ps1 publish</c>: <c>artifacts/tracefx/tracefx</c>, Native AOT, with
/// the managed build in <c>artifacts/tracefx/managed/</c>) gives the same output as the managed build: <c>analyze</c>
/// of every golden case, text and JSON, byte for byte against the golden files (which the managed build is held to by
/// <see cref="GoldenAnalyzeTests"/>), and hands the commands it leaves out to the builds that have them (tui to
/// tracefx-tui, dotnet and triage to the managed build). These
/// run the published binary as a process; where it has not been published, or was published before the last change
/// of a source file (a stale build says nothing about these sources), they skip with a message.</summary>
public class NativeBuildTests
{
    internal static string Native => Path.Combine(TestPaths.RepoRoot, "artifacts", "tracefx", "tracefx");

    public static TheoryData<string> Names() => GoldenAnalyzeTests.Names();

    internal static void SkipUnlessPublishedFromTheseSources()
    {
        Skip.IfNot(File.Exists(Native), $"the native build is not published ({Native}): dotnet pwsh build.ps1 publish");
        var built = File.GetLastWriteTimeUtc(Native);
        var newer = Directory.EnumerateFiles(Path.Combine(TestPaths.RepoRoot, "src"), "*", SearchOption.AllDirectories)
            .Where(f => (f.EndsWith(".cs") || f.EndsWith(".csproj")) && !f.Contains("/obj/") && !f.Contains("/bin/"))
            .FirstOrDefault(f => File.GetLastWriteTimeUtc(f) > built);
        Skip.If(newer != null, $"the published native build is older than {newer}: dotnet pwsh build.ps1 publish");
    }

    [SkippableTheory]
    [MemberData(nameof(Names))]
    public void Native_analyze_gives_the_golden_output(string name)
    {
        SkipUnlessPublishedFromTheseSources();
        var inputs = GoldenAnalyzeTests.Cases[name];
        var (exit, stdout, stderr) = RunNative(["analyze", .. inputs]);
        var text = new StringBuilder()
            .Append("$ tracefx analyze ").AppendJoin(' ', inputs).Append('\n')
            .Append("exit: ").Append(exit).Append('\n')
            .Append("stderr:").Append(stderr.Length == 0 ? " (empty)\n" : "\n" + stderr + (stderr.EndsWith('\n') ? "" : "\n"))
            .Append("stdout:\n").Append(stdout).ToString();
        Same(name + ".analyze.txt", text);
        var json = RunNative(["analyze", "--format", "json", .. inputs]);
        Assert.Equal(exit, json.Exit);
        Same(name + ".analyze.json", json.Stdout);
    }

    [SkippableFact]
    public void Native_tui_is_handed_over()
    {
        SkipUnlessPublishedFromTheseSources();
        // Without a terminal the UI's build (tracefx-tui, or the managed companion) refuses with its own message: that it
        // is printed shows the hand-over (which process draws the UI: TuiNativeBuildTmuxTests).
        var (exit, stdout, stderr) = RunNative(["tui", "sample-traces/xfs-fsync.ftrace.txt"]);
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Contains("tui needs a terminal on stdin and stdout", stderr);
        var (_, help, _) = RunNative(["tui", "--help"]);
        Assert.Contains("Keys: n/p step", help);
    }

    [SkippableFact]
    public void Native_triage_is_run_by_the_managed_build()
    {
        SkipUnlessPublishedFromTheseSources();
        // A Parquet file that is not one: DuckDB (in the managed build only) says it cannot read it.
        var (exit, stdout, stderr) = RunNative(["triage", "--summary", "sample-traces/xfs-fsync.ftrace.txt"]);
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Contains("tracefx: cannot read sample-traces/xfs-fsync.ftrace.txt", stderr);
    }

    [SkippableFact]
    public void Native_dotnet_is_run_by_the_managed_build()
    {
        SkipUnlessPublishedFromTheseSources();
        // No such process: ClrMD (in the managed build only) says so.
        var (exit, _, stderr) = RunNative(["dotnet", "--pid", "2147483646"]);
        Assert.Equal(2, exit);
        Assert.Contains("cannot read pid 2147483646 as a .NET process", stderr);
    }

    [SkippableFact]
    public void Native_build_says_a_gzip_input_is_cut_short()
    {
        SkipUnlessPublishedFromTheseSources();
        // The cut is found by the tool's own gzip member reader (header and trailer read by it, no reflection on the
        // runtime's private members), the same in the native build.
        var text = File.ReadAllBytes(Path.Combine(TestPaths.RepoRoot, "sample-traces", "xfs-fsync.ftrace.txt"));
        using var ms = new MemoryStream();
        using (var gz = new System.IO.Compression.GZipStream(ms, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true)) gz.Write(text);
        var path = Path.Combine(Path.GetTempPath(), $"tracefx-native-cut-{Environment.ProcessId}.gz");
        File.WriteAllBytes(path, ms.ToArray()[..(int)(ms.Length / 2)]);
        try
        {
            var (exit, stdout, stderr) = RunNative(["stats", path]);
            Assert.Contains("the gzip data ends before its trailer", stdout + stderr);
            Assert.Equal(3, exit); // read, printed, and said to be incomplete
        }
        finally { File.Delete(path); }
    }

    /// <summary>Runs the native tool in the repository root (inputs repo-relative, as the golden files name them).</summary>
    /// <summary>Issue 16, item 3: an input the user may not read is a message and exit 2, not a .NET stack trace with the
    /// "finding found" code. The suite runs as root here, so the tool runs as nobody (setpriv) on a file only root
    /// reads; as another user, the file is made unreadable to its owner (mode 000).</summary>
    [SkippableFact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Native_build_says_an_unreadable_input_in_words_and_exits_2()
    {
        SkipUnlessPublishedFromTheseSources();
        bool root = Environment.UserName == "root";
        Skip.If(root && !File.Exists("/usr/bin/setpriv"), "no setpriv to run the tool as another user");
        var dir = Directory.CreateTempSubdirectory("tracefx-unreadable-");
        try
        {
            File.SetUnixFileMode(dir.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                                               UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            var input = Path.Combine(dir.FullName, "only-root.ftrace.txt");
            File.Copy(Path.Combine(TestPaths.RepoRoot, "sample-traces", "lkml-xfs-near-miss.ftrace.txt"), input);
            File.SetUnixFileMode(input, root ? UnixFileMode.UserRead | UnixFileMode.UserWrite : UnixFileMode.None);
            var (exit, stdout, stderr) = root
                ? RunNative(["analyze", input], ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"])
                : RunNative(["analyze", input]);
            Assert.Equal(2, exit);
            Assert.Equal("", stdout);
            Assert.Contains($"tracefx analyze: Access to the path '{input}' is denied", stderr);
            Assert.DoesNotContain("   at ", stderr); // no stack trace without --debug
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static (int Exit, string Stdout, string Stderr) RunNative(string[] args, string[]? runAs = null)
    {
        var start = new ProcessStartInfo(runAs is null ? Native : runAs[0])
        {
            WorkingDirectory = TestPaths.RepoRoot,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
        };
        foreach (var a in runAs is null ? args : [.. runAs[1..], Native, .. args]) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        p.StandardInput.Close();
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, stderr.Result);
    }

    private static void Same(string goldenName, string actual)
    {
        var expected = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "tests", "golden", goldenName), new UTF8Encoding(false));
        if (GoldenAnalyzeTests.FirstDifference(expected, actual) is { } d)
            Assert.Fail($"the native build's output differs from tests/golden/{goldenName} at line {d.Line}:\n  expected: {d.Expected}\n" +
                        $"  actual:   {d.Actual}\n(a stale publish? dotnet pwsh build.ps1 publish)");
    }
}
