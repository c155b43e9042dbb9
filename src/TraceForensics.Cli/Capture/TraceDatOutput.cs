using System.Globalization;
using TraceForensics.Capture;

namespace TraceForensics.Cli.Capture;

/// <summary>`tracefx record -o FILE.dat`: the binary capture's page files made into a trace.dat (after the capture,
/// never on its path), and what the recording holds, per CPU, said in one line.</summary>
internal static class TraceDatOutput
{
    public static bool Wanted(string output) => output.EndsWith(".dat", StringComparison.OrdinalIgnoreCase);

    /// <summary>The writer with everything it reads from tracefs (event formats of the armed events, probes included,
    /// the CPUs' counters, the clock), read before the instance is removed; the pages counted per CPU.</summary>
    public static TraceDatWriter Prepare(Tracefs fs, TracefsRecording recording, RingBufferCapture raw, bool zstd, out List<RecordedPages> perCpu)
    {
        var pageFiles = raw.Cpus.Select(c => (c, raw.PageFile(c))).ToList();
        perCpu = pageFiles.Select(f => RecordedPages.Count(f.c, f.Item2, raw.PageSize)).ToList();
        return Prepare(fs, recording, raw.PageSize, pageFiles, zstd);
    }

    /// <summary>As above for page files of any origin (a watch's window written out for an incident), without counting
    /// their pages (nothing is said of them).</summary>
    public static TraceDatWriter Prepare(Tracefs fs, TracefsRecording recording, int pageSize, IReadOnlyList<(int Cpu, string PageFile)> pageFiles, bool zstd)
    {
        var writer = new TraceDatWriter(pageSize, zstd) { TraceClockOption = recording.TraceClock, Uname = Uname() };
        var clock = recording.TraceClock;
        int open = clock.IndexOf('['), close = clock.IndexOf(']');
        if (open >= 0 && close > open) writer.Clock = clock[(open + 1)..close];
        writer.AddMetadata(fs.Root, recording.Enabled);
        foreach (var (cpu, pageFile) in pageFiles) writer.AddCpu(cpu, pageFile, recording.CpuStats(cpu));
        return writer;
    }

    /// <summary>"recorded N events (P pages) to FILE", and the losses per CPU when there were any.</summary>
    public static string Summary(string output, IReadOnlyList<RecordedPages> perCpu, int bufferKb)
    {
        long events = perCpu.Sum(c => c.Events);
        long pages = perCpu.Sum(c => c.Pages);
        var text = $"tracefx: recorded {events.ToString(CultureInfo.InvariantCulture)} events ({pages.ToString(CultureInfo.InvariantCulture)} pages, ring buffer {bufferKb.ToString(CultureInfo.InvariantCulture)} KiB per cpu) to {output}";
        var lossy = perCpu.Where(c => c.Losses.Count > 0).ToList();
        if (lossy.Count == 0) return text;
        long lost = lossy.Sum(c => c.Lost);
        int unknown = lossy.Sum(c => c.LossesWithoutCount);
        return text + $"; the ring buffer lost {lost.ToString(CultureInfo.InvariantCulture)} events{(unknown > 0 ? $" (and {unknown} gaps without a count)" : "")}: "
               + string.Join(", ", lossy.Select(c => $"cpu {c.Cpu} in {c.Losses.Count} gaps"));
    }

    private static string Uname()
    {
        try
        {
            string Read(string f) => File.ReadAllText(Path.Combine("/proc/sys/kernel", f)).Trim();
            return $"Linux {Read("hostname")} {Read("osrelease")} {System.Runtime.InteropServices.RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()}";
        }
        catch (IOException) { return ""; }
    }
}
