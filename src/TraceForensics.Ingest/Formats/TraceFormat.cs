namespace TraceForensics.Ingest.Formats;

/// <summary>The text forms TraceForensics reads. Names are those of <c>--input-format</c>.</summary>
public enum TraceFormat
{
    Unknown,
    /// <summary><c>/sys/kernel/tracing/trace</c> or <c>trace_pipe</c>.</summary>
    Ftrace,
    /// <summary><c>trace-cmd report</c> output, with or without plugins.</summary>
    TraceCmd,
    /// <summary><c>perf script</c> output.</summary>
    PerfScript,
    /// <summary>A kernel log (dmesg, console, netconsole).</summary>
    Dmesg,
}

public static class TraceFormatNames
{
    public static string Name(this TraceFormat f) => f switch
    {
        TraceFormat.Ftrace => "ftrace",
        TraceFormat.TraceCmd => "trace-cmd",
        TraceFormat.PerfScript => "perf-script",
        TraceFormat.Dmesg => "dmesg",
        _ => "unknown",
    };

    public static bool TryParse(string name, out TraceFormat format)
    {
        format = name switch
        {
            "ftrace" => TraceFormat.Ftrace,
            "trace-cmd" => TraceFormat.TraceCmd,
            "perf-script" => TraceFormat.PerfScript,
            "dmesg" => TraceFormat.Dmesg,
            _ => TraceFormat.Unknown,
        };
        return format != TraceFormat.Unknown;
    }
}
