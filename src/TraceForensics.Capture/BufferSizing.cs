using System.Globalization;

namespace TraceForensics.Capture;

/// <summary>The per-CPU ring-buffer size of a recording, from the machine: a share of the memory available now
/// (/proc/meminfo MemAvailable, proc(5)), grown once the event rate of the first second is known, and capped so that a
/// recording never takes more than a small part of the memory the workload may need.</summary>
public static class BufferSizing
{
    /// <summary>At most this share of the available memory goes to the ring buffers, all CPUs together.</summary>
    private const int MemoryShareDivisor = 16;
    public const int MinimumKb = 4096;
    public const int CapKb = 256 * 1024;
    /// <summary>Seconds of events the buffer should hold at the measured rate: the readers drain it every 100 ms, so
    /// this leaves them a long stall (a reader descheduled on a loaded machine) before anything is lost.</summary>
    public const int SecondsHeld = 4;

    /// <summary>The largest per-CPU size the machine allows now, KiB.</summary>
    public static int CeilingKb(int cpus)
    {
        long available = MemAvailableKb() ?? 1L << 20;
        long kb = available / MemoryShareDivisor / Math.Max(1, cpus);
        return (int)Math.Clamp(kb, MinimumKb, CapKb);
    }

    /// <summary>The size to start with: an eighth of the ceiling (at least the minimum), until the rate is known.</summary>
    public static int InitialKb(int cpus) => Math.Max(MinimumKb, CeilingKb(cpus) / 8);

    /// <summary>The size for a measured rate (bytes per second on the busiest CPU): <see cref="SecondsHeld"/> seconds of
    /// it, between the current size and the ceiling.</summary>
    public static int ForRate(double bytesPerSecond, int currentKb, int ceilingKb)
    {
        double wanted = bytesPerSecond * SecondsHeld / 1024;
        return (int)Math.Clamp(Math.Ceiling(wanted), currentKb, Math.Max(currentKb, ceilingKb));
    }

    private static long? MemAvailableKb()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)
                    && long.TryParse(line["MemAvailable:".Length..].Trim().Split(' ')[0], NumberStyles.None, CultureInfo.InvariantCulture, out long kb))
                    return kb;
        }
        catch (IOException) { }
        return null;
    }
}
