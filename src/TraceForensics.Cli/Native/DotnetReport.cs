namespace TraceForensics.Cli.Findings;

/// <summary>The report of a .NET process in the native build: ClrMD is not compiled in, so a dump or a live process
/// is read by the managed companion (Native/ManagedCompanion.cs), which gets the whole command line. Each command
/// asks for this before it writes anything.</summary>
internal static class DotnetReport
{
    public static AnalysisReport? FromDump(string path, TextWriter stderr) =>
        throw new Native.ManagedCompanion.Needed("a .NET process dump");

    public static AnalysisReport? FromLiveProcess(int pid, TextWriter stderr) =>
        throw new Native.ManagedCompanion.Needed("tracefx dotnet");
}
