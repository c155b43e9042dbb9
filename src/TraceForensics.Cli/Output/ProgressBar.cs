using TraceForensics.Events.Reading;

namespace TraceForensics.Cli.Output;

/// <summary>A progress line on stderr for long reads (inputs over 50 MB, or stdin): bytes read of the total, and
/// events per second. Only when stderr is a terminal, and not with --quiet; the line is cleared at the end.</summary>
internal sealed class ProgressBar : IDisposable
{
    private const long LongInputBytes = 50L << 20;
    private readonly TraceSession _session;
    private readonly TextWriter _stderr;
    private readonly long _totalBytes;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private long _lastDrawMs = -1000;

    private ProgressBar(TraceSession session, TextWriter stderr, long totalBytes)
    {
        _session = session;
        _stderr = stderr;
        _totalBytes = totalBytes;
    }

    /// <summary>A bar when it is wanted, else null.</summary>
    public static ProgressBar? For(TraceSession session, TextWriter stderr, bool quiet)
    {
        if (quiet || !ReferenceEquals(stderr, Console.Error) || Console.IsErrorRedirected) return null;
        bool stdin = session.Inputs.Any(i => i.Path == "-");
        long total = session.Inputs.Where(i => i.Path != "-" && File.Exists(i.Path)).Sum(i => new FileInfo(i.Path).Length);
        return stdin || total > LongInputBytes ? new ProgressBar(session, stderr, stdin ? 0 : total) : null;
    }

    public void Update(long events)
    {
        long ms = _clock.ElapsedMilliseconds;
        if (ms - _lastDrawMs < 250) return;
        _lastDrawMs = ms;
        long bytes = _session.BytesRead;
        double rate = events / Math.Max(ms / 1000.0, 0.001);
        string done = _totalBytes > 0 ? $"{bytes * 100 / Math.Max(_totalBytes, 1),3}% {bytes >> 20}/{_totalBytes >> 20} MB" : $"{bytes >> 20} MB";
        _stderr.Write($"\rtracefx: {done}, {events:N0} events, {rate:N0} events/s   ");
    }

    public void Dispose()
    {
        if (_lastDrawMs >= 0) _stderr.Write("\r" + new string(' ', 78) + "\r");
    }
}
