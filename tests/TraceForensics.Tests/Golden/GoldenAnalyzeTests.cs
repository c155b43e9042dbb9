using System.Text;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Golden;

/// <summary>Golden ("diff") tests: the whole output of <c>tracefx analyze</c> (text and <c>--format json</c>) for
/// every sample in <c>sample-traces/</c> is compared byte for byte with a checked-in file in <c>tests/golden/</c>.
/// The text golden starts with a small header holding the command, the exit code and stderr, so those are checked
/// too; the JSON golden is the JSON output as is (its exit code and stderr must equal the text run's).
/// Inputs are passed as absolute paths and the repository root is removed from the output, so the files hold
/// repo-relative paths (<c>sample-traces/x.ftrace.txt</c>) whatever the machine.
/// After a deliberate change of output: <c>TRACEFX_ACCEPT_GOLDEN=1 dotnet test tests/TraceForensics.Tests -c Release --filter Golden</c>
/// (or <c>dotnet pwsh build.ps1 accept</c>) rewrites the golden files instead of failing; review the diff before committing.</summary>
public class GoldenAnalyzeTests
{
    public const string AcceptVariable = "TRACEFX_ACCEPT_GOLDEN";
    public const string AcceptCommand =
        AcceptVariable + "=1 dotnet test tests/TraceForensics.Tests -c Release --filter Golden   (or: dotnet pwsh build.ps1 accept)";

    private static bool Accepting => Environment.GetEnvironmentVariable(AcceptVariable) is "1" or "true";
    private static string GoldenDir => Path.Combine(TestPaths.RepoRoot, "tests", "golden");

    /// <summary>The sample inputs `tracefx analyze` accepts, by golden name; a new sample gets a case (and fails
    /// until its golden files are accepted).</summary>
    public static IReadOnlyDictionary<string, string[]> Cases { get; } = FindCases();

    private static Dictionary<string, string[]> FindCases()
    {
        string[] patterns = ["*.ftrace.txt", "*.ftrace.txt.gz", "*.perf-script*.txt", "*.trace-cmd-report.txt"];
        var cases = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var file in patterns.SelectMany(p => Directory.GetFiles(TestPaths.SampleTraces, p)).Distinct())
        {
            var name = Path.GetFileName(file);
            cases[name] = ["sample-traces/" + name];
        }
        // A recording with the files `tracefx record` writes beside it (the kernel log, the topology), analysed together.
        foreach (var topology in Directory.GetFiles(TestPaths.SampleTraces, "*.ftrace.txt.gz.topology.txt"))
        {
            var trace = Path.GetFileName(topology)[..^".topology.txt".Length];
            var dmesg = trace + ".dmesg.txt";
            cases[trace[..^".ftrace.txt.gz".Length] + ".with-record-files"] = File.Exists(Path.Combine(TestPaths.SampleTraces, dmesg))
                ? ["sample-traces/" + trace, "sample-traces/" + dmesg, "sample-traces/" + Path.GetFileName(topology)]
                : ["sample-traces/" + trace, "sample-traces/" + Path.GetFileName(topology)];
        }
        // A known-answer sample with the topology file the scenario builder wrote for it, in each of its forms.
        foreach (var topology in Directory.GetFiles(TestPaths.SampleTraces, "lkml-*.topology.txt"))
        {
            var sample = Path.GetFileName(topology)[..^".topology.txt".Length];
            foreach (var form in new[] { "ftrace", "perf-script", "trace-cmd-report" })
                cases[$"{sample}.{form}.with-topology"] = ["sample-traces/" + $"{sample}.{form}.txt", "sample-traces/" + Path.GetFileName(topology)];
        }
        // A trace and the kernel log of the same run, analysed together.
        cases["xfs-frozen-backing-stall.with-dmesg"] =
            ["sample-traces/xfs-frozen-backing-stall.ftrace.txt.gz", "sample-traces/xfs-frozen-backing-stall.dmesg.txt"];
        cases["xfs-two-frozen-backings.with-topology"] =
            ["sample-traces/xfs-two-frozen-backings.ftrace.txt.gz", "sample-traces/xfs-two-frozen-backings.topology.txt"];
        return cases;
    }

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in Cases.Keys.Order(StringComparer.Ordinal)) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Analyze_text_output_matches_its_golden_file(string name)
    {
        var inputs = Cases[name];
        var (exit, stdout, stderr) = RunTwice(inputs);
        var header = new StringBuilder()
            .Append("$ tracefx analyze ").AppendJoin(' ', inputs).Append('\n')
            .Append("exit: ").Append(exit).Append('\n')
            .Append("stderr:").Append(stderr.Length == 0 ? " (empty)\n" : "\n" + stderr + (stderr.EndsWith('\n') ? "" : "\n"))
            .Append("stdout:\n");
        Check(name + ".analyze.txt", header + stdout);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Analyze_json_output_matches_its_golden_file(string name)
    {
        var inputs = Cases[name];
        var (exit, stdout, stderr) = RunTwice(inputs, "--format", "json");
        var (textExit, _, textStderr) = Analyze(inputs);
        Assert.True(exit == textExit, $"`analyze --format json` exits {exit}, the text run {textExit}");
        Assert.True(stderr == textStderr, $"`analyze --format json` writes other diagnostics than the text run:\n{stderr}\n--- text run:\n{textStderr}");
        Check(name + ".analyze.json", stdout);
    }

    [Fact]
    public void Every_golden_file_belongs_to_a_case()
    {
        if (!Directory.Exists(GoldenDir)) return; // nothing to check yet; the per-case tests fail (or accept)
        var known = Cases.Keys.SelectMany(n => new[] { n + ".analyze.txt", n + ".analyze.json" }).ToHashSet(StringComparer.Ordinal);
        var orphans = Directory.GetFiles(GoldenDir).Select(Path.GetFileName).Where(f => !known.Contains(f!)).Order(StringComparer.Ordinal).ToList();
        Assert.True(orphans.Count == 0, $"golden files without a sample (remove them): {string.Join(", ", orphans)}");
    }

    [Fact]
    public void There_is_a_case_for_each_input_format()
    {
        Assert.Contains("lkml-xfs-kprobe-holder.ftrace.txt", Cases.Keys);
        Assert.Contains("lkml-xfs-kprobe-holder.perf-script.txt", Cases.Keys);
        Assert.Contains("xfs-fsync.perf-script-nostack.txt", Cases.Keys);
        Assert.Contains("xfs-fsync.trace-cmd-report.txt", Cases.Keys);
        Assert.Contains("xfs-frozen-backing-stall.ftrace.txt.gz", Cases.Keys);
        Assert.Contains("xfs-frozen-backing-stall.with-dmesg", Cases.Keys);
        Assert.All(Cases.Values.SelectMany(i => i), i => Assert.True(File.Exists(Path.Combine(TestPaths.RepoRoot, i)), i));
    }

    [Fact]
    public void First_difference_names_line_expected_and_actual()
    {
        Assert.Null(FirstDifference("a\nb\n", "a\nb\n"));
        Assert.Equal((2, "b", "c"), FirstDifference("a\nb\n", "a\nc\n"));
        Assert.Equal((3, "<end of file>", "c"), FirstDifference("a\nb\n", "a\nb\nc\n"));
        Assert.Equal((2, "b", "<end of file>"), FirstDifference("a\nb", "a"));
        Assert.Equal((2, "<no newline at end of file>", "<newline at end of file>"), FirstDifference("a\nb", "a\nb\n"));
        Assert.Equal((1, "a\\r", "a"), FirstDifference("a\r\n", "a\n"));
    }

    /// <summary>Runs analyze twice (the output must not vary), with absolute inputs, and removes the repository root.</summary>
    private static (int Exit, string Stdout, string Stderr) RunTwice(string[] inputs, params string[] options)
    {
        var first = Analyze(inputs, options);
        var second = Analyze(inputs, options);
        Assert.True(first == second, $"`tracefx analyze {string.Join(' ', options.Concat(inputs))}` is not deterministic: two runs differ" +
            (FirstDifference(first.Stderr + first.Stdout, second.Stderr + second.Stdout) is { } d ? $" at line {d.Line}: `{d.Expected}` then `{d.Actual}`" : $" in exit code ({first.Exit}, {second.Exit})"));
        return first;
    }

    private static (int Exit, string Stdout, string Stderr) Analyze(string[] inputs, params string[] options)
    {
        var args = new List<string> { "analyze" };
        args.AddRange(options);
        args.AddRange(inputs.Select(i => Path.Combine(TestPaths.RepoRoot, i)));
        var (exit, stdout, stderr) = Run.Cli([.. args]);
        return (exit, Relative(stdout), Relative(stderr));
    }

    /// <summary>Removes the repository root (as written in text and as escaped in JSON) so paths are repo-relative.</summary>
    private static string Relative(string output)
    {
        var root = TestPaths.RepoRoot.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        output = output.Replace(root, "", StringComparison.Ordinal);
        var escaped = root.Replace("\\", "\\\\", StringComparison.Ordinal);
        if (escaped != root) output = output.Replace(escaped, "", StringComparison.Ordinal);
        Assert.DoesNotContain(TestPaths.RepoRoot, output); // no machine path may reach a golden file
        return output;
    }

    private static void Check(string goldenName, string actual)
    {
        var path = Path.Combine(GoldenDir, goldenName);
        var expected = File.Exists(path) ? File.ReadAllText(path, new UTF8Encoding(false)) : null;
        if (expected == actual) return;
        if (Accepting)
        {
            Directory.CreateDirectory(GoldenDir);
            File.WriteAllBytes(path, new UTF8Encoding(false).GetBytes(actual));
            return;
        }
        var rel = "tests/golden/" + goldenName;
        if (expected is null)
            Assert.Fail($"{rel} does not exist. If the output is right, accept it with:\n  {AcceptCommand}\n--- actual output begins:\n{string.Join('\n', actual.Split('\n').Take(10))}");
        var (line, want, got) = FirstDifference(expected, actual)!.Value;
        Assert.Fail($"{rel} differs from the output, first at line {line}:\n  expected: {want}\n  actual:   {got}\n" +
            $"If the change is deliberate, accept the new output with:\n  {AcceptCommand}\nand review `git diff tests/golden` before committing.");
    }

    /// <summary>The first line (1-based) where two texts differ, with both lines; null when they are equal.</summary>
    internal static (int Line, string Expected, string Actual)? FirstDifference(string expected, string actual)
    {
        if (expected == actual) return null;
        var (e, eNewline) = Lines(expected);
        var (a, aNewline) = Lines(actual);
        for (int i = 0; i < Math.Min(e.Count, a.Count); i++)
            if (e[i] != a[i]) return (i + 1, Show(e[i]), Show(a[i]));
        if (e.Count != a.Count)
            return (Math.Min(e.Count, a.Count) + 1, e.Count > a.Count ? Show(e[a.Count]) : "<end of file>", a.Count > e.Count ? Show(a[e.Count]) : "<end of file>");
        return (e.Count, NewlineAtEnd(eNewline), NewlineAtEnd(aNewline));

        static string Show(string line) => line.Replace("\r", "\\r", StringComparison.Ordinal);
        static string NewlineAtEnd(bool newline) => newline ? "<newline at end of file>" : "<no newline at end of file>";
        static (List<string> Lines, bool EndsWithNewline) Lines(string text)
        {
            var lines = text.Split('\n').ToList();
            bool newline = text.EndsWith('\n');
            if (newline) lines.RemoveAt(lines.Count - 1);
            return (lines, newline);
        }
    }
}
