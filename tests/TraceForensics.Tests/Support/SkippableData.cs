namespace TraceForensics.Tests.Support;

/// <summary>Skips a test cleanly, with the reason in the output, when ../shared is absent
/// (use with [SkippableFact]/[SkippableTheory]).</summary>
public static class Require
{
    public static string RealTraces() => Path(TestPaths.RealTraces, "../shared/real-traces");
    public static string CorpusTraces() => Path(TestPaths.CorpusTraces, "../shared/corpus/traces");
    public static string Shared() => Path(TestPaths.Shared, "../shared");

    private static string Path(string? path, string what)
    {
        Skip.If(path is null, $"{what} is absent beside the checkout; set TRACEFX_SHARED or clone next to it");
        return path!;
    }
}
