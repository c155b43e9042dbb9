using TraceForensics.Cli.Output;
using System.Text.Json;
using TraceForensics.Events.Model;
using TraceForensics.Ingest.Diagnostics;
using TraceForensics.Ingest.Formats;

namespace TraceForensics.Cli.Stats;

/// <summary>Writes <see cref="TraceStatistics"/> as <c>traceforensics/stats/v1</c> (design/contracts.md).</summary>
public static class StatsJsonWriter
{
    public const string Schema = "traceforensics/stats/v1";

    public static void Write(TraceStatistics stats, Stream output)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("schema", Schema);
        w.WriteStartArray("inputs");
        foreach (var input in stats.Inputs)
        {
            w.WriteStartObject();
            w.WriteString("path", input.Path);
            w.WriteString("format", input.Format.Name());
            if (input.Compression != Ingest.Input.Compression.None)
                w.WriteString("compression", input.Compression.ToString().ToLowerInvariant());
            w.WriteNumber("lines", input.Lines);
            w.WriteNumber("events", input.Events);
            if (input.HasEvents)
            {
                w.WriteNumber("firstTs", TraceTime.ToSeconds(input.FirstTimestampNs));
                w.WriteNumber("lastTs", TraceTime.ToSeconds(input.LastTimestampNs));
            }
            else
            {
                w.WriteNull("firstTs");
                w.WriteNull("lastTs");
            }
            w.WriteNumber("lostEvents", input.LostEvents);
            w.WriteNumber("stackBlocks", input.Stacks);
            w.WriteNumber("diagnostics", stats.Diagnostics.CountFor(input.Path));
            if (input.Rejection is not null) w.WriteString("rejected", input.Rejection);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("events");
        foreach (var (name, _, count) in stats.Events) w.WriteNumber(name, count);
        w.WriteEndObject();
        w.WriteNumber("tasks", stats.Tasks);
        w.WriteNumber("stacks", stats.Stacks);
        w.WriteNumber("diagnosticsTotal", stats.Diagnostics.Total);
        CommandOutput.WriteDiagnostics(w, stats.Diagnostics);
        w.WriteEndObject();
        w.Flush();
        output.WriteByte((byte)'\n');
    }
}
