namespace TraceForensics.Tests.Support;

/// <summary>Where the repository and the shared data (../shared beside the checkout) are.</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>../shared beside the checkout, or null when absent (tests that need it skip).</summary>
    public static string? Shared
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("TRACEFX_SHARED");
            var dir = env ?? Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));
            return Directory.Exists(dir) ? dir : null;
        }
    }

    public static string? RealTraces => Shared is { } s && Directory.Exists(Path.Combine(s, "real-traces")) ? Path.Combine(s, "real-traces") : null;
    public static string? CorpusTraces => Shared is { } s && Directory.Exists(Path.Combine(s, "corpus", "traces")) ? Path.Combine(s, "corpus", "traces") : null;
    public static string SampleTraces => Path.Combine(RepoRoot, "sample-traces");

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TraceForensics.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("TraceForensics.sln not found above the test binaries");
    }
}
