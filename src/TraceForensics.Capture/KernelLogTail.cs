using System.Globalization;
using System.Runtime.InteropServices;
using static TraceForensics.Capture.Libc;
using System.Text;

namespace TraceForensics.Capture;

/// <summary>The kernel log from now on, read from <c>/dev/kmsg</c> as it is printed (Documentation/ABI/testing/dev-kmsg:
/// opened, then seeked to its end with SEEK_END so that only new records come; each read returns one record
/// <c>prio,seq,ts_usec,flags[,...];message</c> with continuation lines " KEY=value" after it; EPIPE when records were
/// overwritten before they were read; EAGAIN, the file opened O_NONBLOCK, when there is none). Each record is kept as
/// <c>dmesg</c> prints it, <c>[seconds.micros] message</c>, which the kernel-log reader reads; its time is the
/// kernel's local clock, the trace's "local" clock (kernel/printk/printk.c uses local_clock()). Records older than the
/// window (<see cref="Trim"/>) are dropped, so memory is bounded by the window.</summary>
public sealed class KernelLogTail : IDisposable
{
    private readonly object _lock = new();
    private readonly LinkedList<(long Ns, string Line)> _lines = new();
    private readonly Thread? _thread;
    private volatile bool _stopping;
    private int _fd = -1;

    private KernelLogTail()
    {
        try { _fd = open(Encoding.ASCII.GetBytes("/dev/kmsg\0"), ORdOnly | ONonBlock | OCloExec); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { Error = e.Message; return; }
        if (_fd < 0) { Error = $"cannot open /dev/kmsg: errno {Marshal.GetLastPInvokeError()}"; return; }
        lseek(_fd, 0, SeekEnd);
        _thread = new Thread(Read) { IsBackground = true, Name = "tracefx kmsg" };
        _thread.Start();
    }

    /// <summary>Why the log cannot be read (null when it is).</summary>
    public string? Error { get; private set; }

    /// <summary>Starts reading the records printed from now on.</summary>
    public static KernelLogTail Start() => new();

    private void Read()
    {
        var buffer = new byte[8192]; // a record is at most 1024 bytes of text plus its dictionary (printk.c CONSOLE_EXT_LOG_MAX)
        while (!_stopping)
        {
            nint n = read(_fd, buffer, buffer.Length);
            if (n > 0)
            {
                if (Format(Encoding.UTF8.GetString(buffer, 0, (int)n)) is { } record)
                    lock (_lock) _lines.AddLast(record);
                continue;
            }
            int errno = n < 0 ? Marshal.GetLastPInvokeError() : EAgain;
            if (errno is EIntr or EPipe) continue; // EPIPE: records were overwritten before they were read; go on after them
            if (errno != EAgain) { Error = $"reading /dev/kmsg: errno {errno}"; return; }
            Thread.Sleep(100);
        }
    }

    /// <summary>A /dev/kmsg record as <c>dmesg</c> prints it, with its time; null when it is not one. The message's
    /// own escapes stay (the kernel prints non-printable bytes as \xNN); a multi-line message's continuation lines
    /// (dictionary " KEY=value") are left out.</summary>
    public static (long Ns, string Line)? Format(string record)
    {
        int semi = record.IndexOf(';');
        if (semi < 0) return null;
        var fields = record[..semi].Split(',');
        if (fields.Length < 3 || !long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out long usec)) return null;
        var message = record[(semi + 1)..];
        int nl = message.IndexOf('\n');
        if (nl >= 0) message = message[..nl];
        return (usec * 1000, $"{Stamp(usec)} {message}");
    }

    /// <summary>dmesg's time stamp of a record, <c>[SSSSS.UUUUUU]</c> (kernel/printk/printk.c print_time: "[%5lu.%06lu]").</summary>
    public static string Stamp(long usec) =>
        $"[{(usec / 1_000_000).ToString(CultureInfo.InvariantCulture),5}.{(usec % 1_000_000).ToString("000000", CultureInfo.InvariantCulture)}]";

    /// <summary>Drops the records before <paramref name="fromNs"/>.</summary>
    public void Trim(long fromNs)
    {
        lock (_lock) while (_lines.First is { } first && first.Value.Ns < fromNs) _lines.RemoveFirst();
    }

    /// <summary>The records kept, oldest first.</summary>
    public List<string> Lines()
    {
        lock (_lock) return _lines.Select(l => l.Line).ToList();
    }

    public void Dispose()
    {
        _stopping = true;
        _thread?.Join(TimeSpan.FromSeconds(2));
        if (_fd >= 0) { close(_fd); _fd = -1; }
    }
}
