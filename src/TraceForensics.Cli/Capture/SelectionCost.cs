using System.Globalization;
using TraceForensics.Capture;
using TraceForensics.Events.Dictionary;
using TraceForensics.Events.Model;

namespace TraceForensics.Cli.Capture;

/// <summary>`tracefx doctor --events LIST`: what recording a selection costs on this machine now, measured: the selection
/// is armed in tracefx's own instance as `record` arms it and its ring-buffer pages read for a short sample; then, per
/// family, events and ring-buffer bytes per second (the stack traces of the triggers on their own line), the busiest
/// CPU's bytes per second and the per-CPU buffer size `record` would grow to for it (<see cref="BufferSizing.ForRate"/>).
/// Everything armed is undone and the page files removed on every exit path.</summary>
internal static class SelectionCost
{
    public static void Measure(Tracefs fs, IReadOnlySet<EventKind> families, double seconds, TextWriter w)
    {
        int cpus = Environment.ProcessorCount;
        int initialKb = BufferSizing.InitialKb(cpus), ceilingKb = BufferSizing.CeilingKb(cpus);
        using var pages = PageDirectory.InTemp();
        var recording = TracefsRecording.Arm(fs, RecordingPlan.Events(families), RecordingPlan.Triggers(families),
            RecordingPlan.Probes(Tracefs.HasBtf, families), initialKb, out var why);
        if (recording is null)
        {
            w.WriteLine($"cost of --events {EventSelection.Describe(families)}: not measured ({why})");
            return;
        }
        var byCpu = new List<PageCensus>();
        Dictionary<int, string> names;
        long lost;
        int enabled = recording.Enabled.Count, missing = recording.Missing.Count;
        try
        {
            var raw = recording.StartBinary(pages.Path);
            Thread.Sleep(TimeSpan.FromSeconds(seconds));
            lost = recording.LostEvents();
            if (recording.Stop() is { } error)
            {
                w.WriteLine($"cost of --events {EventSelection.Describe(families)}: not measured (reading the ring buffers failed: {error.Message})");
                return;
            }
            names = TypeNames([recording.Instance, fs.Root], recording.Enabled);
            foreach (var cpu in raw.Cpus)
            {
                var census = new PageCensus();
                census.Add(raw.PageFile(cpu), raw.PageSize);
                byCpu.Add(census);
            }
        }
        finally
        {
            recording.Dispose();
        }

        var family = new Dictionary<string, EventKind>(StringComparer.Ordinal);
        foreach (var (kind, list) in EventDictionary.KnownTracepoints) foreach (var n in list) family.TryAdd(n, kind);
        foreach (var (probe, i) in RecordingPlan.Probes(false, RecordingPlan.Default).Select((p, i) => (p.Name, i))) family.TryAdd("tfx/" + probe, RecordingPlan.ProbeFamilies[i]);
        var rows = new SortedDictionary<string, (long Events, long Bytes)>(StringComparer.Ordinal);
        foreach (var census in byCpu)
            foreach (var (type, (events, bytes)) in census.ByType)
            {
                var name = names.GetValueOrDefault(type);
                string row = name == "ftrace/kernel_stack" ? "~ stack traces (kernel_stack)"
                    : name is not null && family.TryGetValue(name.Contains('/') && !name.StartsWith("tfx/", StringComparison.Ordinal) ? name[(name.IndexOf('/') + 1)..] : name, out var k) ? k.Name()
                    : $"~ other ({(name ?? $"type {type.ToString(CultureInfo.InvariantCulture)}")})";
                var (e, b) = rows.GetValueOrDefault(row);
                rows[row] = (e + events, b + bytes);
            }
        string Rate(double x) => Math.Round(x / seconds).ToString("N0", CultureInfo.InvariantCulture);
        w.WriteLine($"cost of --events {EventSelection.Describe(families)}: {enabled} events armed{(missing > 0 ? $", {missing} not on this kernel" : "")}, measured over {seconds.ToString("0.#", CultureInfo.InvariantCulture)} s on {byCpu.Count} cpus (the machine's load now):");
        w.WriteLine($"  {"family",-32} {"events/s",12} {"bytes/s",14}");
        foreach (var (row, (events, bytes)) in rows) w.WriteLine($"  {row,-32} {Rate(events),12} {Rate(bytes),14}");
        long allEvents = rows.Values.Sum(r => r.Events), allBytes = rows.Values.Sum(r => r.Bytes);
        w.WriteLine($"  {"total",-32} {Rate(allEvents),12} {Rate(allBytes),14}");
        // The pages read: what the ring buffer really holds per CPU (page headers and unused tails included).
        long busiest = byCpu.Count == 0 ? 0 : byCpu.Max(c => c.Pages) * Environment.SystemPageSize;
        double perSecond = busiest / seconds;
        int sized = BufferSizing.ForRate(perSecond, initialKb, ceilingKb);
        w.WriteLine($"  busiest cpu: {Rate(busiest)} bytes/s of pages; ring buffer per cpu for {BufferSizing.SecondsHeld} s of it: {sized.ToString(CultureInfo.InvariantCulture)} KiB " +
                    $"(record starts at {initialKb.ToString(CultureInfo.InvariantCulture)}, grows to at most {ceilingKb.ToString(CultureInfo.InvariantCulture)} KiB now){(perSecond * BufferSizing.SecondsHeld / 1024 > ceilingKb ? "; more than the ceiling: a stalled reader would lose events" : "")}");
        w.WriteLine($"  lost during the sample: {lost.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>Event type id to "system/event" for the armed events and ftrace's kernel_stack (each format's "ID:").</summary>
    private static Dictionary<int, string> TypeNames(string[] roots, IEnumerable<string> enabled)
    {
        var names = new Dictionary<int, string>();
        foreach (var path in enabled.Append("ftrace/kernel_stack"))
        foreach (var instance in roots)
        {
            if (names.ContainsValue(path)) break;
            try
            {
                foreach (var line in File.ReadLines(Path.Combine(instance, "events", path, "format")))
                    if (line.StartsWith("ID:", StringComparison.Ordinal)
                        && int.TryParse(line.AsSpan(3).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int id))
                    {
                        names[id] = path;
                        break;
                    }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return names;
    }
}
