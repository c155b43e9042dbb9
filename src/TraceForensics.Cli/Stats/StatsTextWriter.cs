using System.Globalization;
using TraceForensics.Events.Model;

namespace TraceForensics.Cli.Stats;

/// <summary>Writes <see cref="TraceStatistics"/> for people: one line per input, then events by count.</summary>
public static class StatsTextWriter
{
    public static void Write(TraceStatistics stats, TextWriter w)
    {
        foreach (var input in stats.Inputs)
        {
            var path = UntrustedText.ForTerminal(input.Path);
            if (input.Rejection is not null)
            {
                w.WriteLine($"{path}: not read: {UntrustedText.ForTerminal(input.Rejection)}");
                continue;
            }
            var span = input.HasEvents
                ? $"{TraceTime.Format(input.FirstTimestampNs)} .. {TraceTime.Format(input.LastTimestampNs)}"
                : "no events";
            var compressed = input.Compression == Ingest.Input.Compression.None ? "" : $" ({input.Compression.ToString().ToLowerInvariant()})";
            w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{path}: {FormatName(input)}{compressed}, {input.Lines} {(input.Format == Ingest.Formats.TraceFormat.TraceDat ? "records" : "lines")}, {input.Events} events, {span}, " +
                $"{input.LostEvents} lost, {stats.Diagnostics.CountFor(input.Path)} diagnostics"));
        }
        w.WriteLine();
        int nameWidth = Math.Max(10, stats.Events.Count == 0 ? 0 : stats.Events.Max(e => UntrustedText.ForTerminal(e.Name).Length));
        long total = stats.Events.Sum(e => e.Count);
        w.WriteLine($"{total} events of {stats.Events.Count} kinds:");
        foreach (var (name, kind, count) in stats.Events)
            w.WriteLine($"  {count,10}  {UntrustedText.ForTerminal(name).PadRight(nameWidth)}  {(kind == EventKind.Unknown ? "" : kind.Name())}".TrimEnd());
        w.WriteLine();
        w.WriteLine($"{stats.Tasks} tasks, {stats.Stacks} distinct stacks, {stats.Diagnostics.Total} diagnostics");
    }

    private static string FormatName(Events.Reading.InputSummary input) => Ingest.Formats.TraceFormatNames.Name(input.Format);
}
