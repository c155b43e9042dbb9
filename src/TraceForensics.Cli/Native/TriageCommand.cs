using System.CommandLine;

namespace TraceForensics.Cli.Commands;

/// <summary><c>tracefx triage</c> in the native build: Parquet.Net (its class serializer, compiled in with the column
/// API) produces trim warnings and DuckDB.NET AOT-analysis warnings (IL2104, IL3053: errors in this build), so neither
/// is compiled in and the managed companion runs the whole command (Native/ManagedCompanion.cs), with the same
/// arguments and output.</summary>
internal static class TriageCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        _ = (stdout, stderr);
        var command = new Command("triage", "Analyse many kernel logs into Parquet rows with chain signatures, and group them (runs in the managed build)")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction((Func<ParseResult, int>)(_ => throw new Native.ManagedCompanion.Needed("tracefx triage")));
        return command;
    }
}
