using System.Globalization;

namespace TraceForensics.Events.Model;

/// <summary>Trace time as the kernel prints it: seconds with six decimals (nine when the nanoseconds are not
/// whole microseconds), from integer nanoseconds.</summary>
public static class TraceTime
{
    public static string Format(long ns)
    {
        long secs = Math.DivRem(ns, 1_000_000_000L, out long frac);
        if (frac < 0) { secs--; frac += 1_000_000_000L; }
        return frac % 1000 == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{secs}.{frac / 1000:000000}")
            : string.Create(CultureInfo.InvariantCulture, $"{secs}.{frac:000000000}");
    }

    /// <summary>Seconds as an exact decimal (for JSON numbers).</summary>
    public static decimal ToSeconds(long ns) => ns / 1_000_000_000m;

    /// <summary>Parses trace seconds as a user types them ("1250.919672", "375") into nanoseconds.</summary>
    public static bool TryParse(string s, out long ns)
    {
        s = s.Trim();
        if (!s.Contains('.')) s += ".0";
        return Ingest.Formats.AsciiSpan.TryParseTimestamp(System.Text.Encoding.ASCII.GetBytes(s), out ns);
    }
}
