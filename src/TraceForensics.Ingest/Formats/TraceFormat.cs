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
    /// <summary>The storage topology at capture time (<c>tracefx record</c>'s <c>FILE.topology.txt</c>): loop devices and
    /// their backing files, mounts, device-mapper devices.</summary>
    Topology,
    /// <summary>trace-cmd's binary trace.dat (versions 6 and 7), read directly (<see cref="TraceDat.TraceDatRecordSource"/>).</summary>
    TraceDat,
    /// <summary>A .NET process dump (a Linux core from createdump), read through ClrMD.</summary>
    DotnetDump,
}

public static class TraceFormatNames
{
    public static string Name(this TraceFormat f) => f switch
    {
        TraceFormat.Ftrace => "ftrace",
        TraceFormat.TraceCmd => "trace-cmd",
        TraceFormat.PerfScript => "perf-script",
        TraceFormat.Dmesg => "dmesg",
        TraceFormat.DotnetDump => "dotnet-dump",
        TraceFormat.Topology => "topology",
        TraceFormat.TraceDat => "trace-dat",
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
            "dotnet-dump" => TraceFormat.DotnetDump,
            "topology" => TraceFormat.Topology,
            "trace-dat" => TraceFormat.TraceDat,
            _ => TraceFormat.Unknown,
        };
        return format != TraceFormat.Unknown;
    }
}
