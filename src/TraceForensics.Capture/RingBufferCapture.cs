using System.Runtime.InteropServices;
using static TraceForensics.Capture.Libc;

namespace TraceForensics.Capture;

/// <summary>The binary capture of a tracefs instance: one reader thread per CPU reads the CPU's ring-buffer pages from
/// <c>per_cpu/cpuN/trace_pipe_raw</c> a page at a time (kernel/trace/trace.c <c>tracing_buffers_read</c>: each read of a
/// page's size hands over one whole ring-buffer page, header included, as <c>ring_buffer_read_page</c> fills it) and
/// appends it unchanged to the CPU's page file. Nothing is formatted on this path; the trace.dat is written after.
/// The reads do not block (O_NONBLOCK): an empty buffer answers EAGAIN and the reader sleeps, so that it is not woken
/// for every event (its own wakeups would fill the trace). A live capture (<c>tracefx watch</c>) hands each page to a
/// sink instead of a file, and counts the times each reader found its buffer empty (<see cref="Drains"/>).</summary>
public sealed class RingBufferCapture
{
    private readonly List<(int Cpu, Thread Thread)> _readers = new();
    private readonly Exception?[] _errors;
    private readonly long[] _bytes;
    private readonly long[] _drains;
    private readonly Action<int, byte[]>? _sink;
    private volatile bool _stopping;

    public RingBufferCapture(string instance, IReadOnlyList<int> cpus, string directory, int pageSize)
        : this(instance, cpus, directory, pageSize, null)
    {
    }

    /// <summary>A live capture: each page read (a new array, the CPU's number with it) goes to <paramref name="sink"/>,
    /// on the CPU's reader thread; nothing is written to files.</summary>
    public RingBufferCapture(string instance, IReadOnlyList<int> cpus, int pageSize, Action<int, byte[]> sink)
        : this(instance, cpus, "", pageSize, sink)
    {
    }

    private RingBufferCapture(string instance, IReadOnlyList<int> cpus, string directory, int pageSize, Action<int, byte[]>? sink)
    {
        Instance = instance;
        Cpus = cpus;
        Directory = directory;
        PageSize = pageSize;
        _sink = sink;
        _errors = new Exception?[cpus.Count];
        _bytes = new long[cpus.Count];
        _drains = new long[cpus.Count];
    }

    /// <summary>How many times the reader of the CPU at <paramref name="slot"/> (its index in <see cref="Cpus"/>) found
    /// its ring buffer empty: once the count grows past a value read at a moment, every event the CPU wrote before that
    /// moment has been handed over.</summary>
    public long Drains(int slot) => Interlocked.Read(ref _drains[slot]);

    public string Instance { get; }
    public IReadOnlyList<int> Cpus { get; }
    public string Directory { get; }
    public int PageSize { get; }

    /// <summary>The page file of a CPU (pages of <see cref="PageSize"/> bytes, in the order the ring buffer gave them).</summary>
    public string PageFile(int cpu) => Path.Combine(Directory, $"cpu{cpu.ToString(System.Globalization.CultureInfo.InvariantCulture)}.pages");

    /// <summary>Bytes read so far from the busiest CPU.</summary>
    public long MostBytesReadOnOneCpu
    {
        get
        {
            long most = 0;
            for (int i = 0; i < _bytes.Length; i++) most = Math.Max(most, Interlocked.Read(ref _bytes[i]));
            return most;
        }
    }

    /// <summary>The CPUs of this machine that tracefs has a ring buffer for (<c>per_cpu/cpuN</c>), in order.</summary>
    public static List<int> CpusOf(string instance)
    {
        var perCpu = Path.Combine(instance, "per_cpu");
        if (!System.IO.Directory.Exists(perCpu)) return [];
        return System.IO.Directory.GetDirectories(perCpu).Select(Path.GetFileName)
            .Select(n => n is not null && n.StartsWith("cpu", StringComparison.Ordinal)
                         && int.TryParse(n.AsSpan(3), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int c) ? c : -1)
            .Where(c => c >= 0).Order().ToList();
    }

    public void Start()
    {
        for (int i = 0; i < Cpus.Count; i++)
        {
            int slot = i;
            var t = new Thread(() => Read(slot)) { IsBackground = true, Name = $"tracefx cpu{Cpus[slot]}" };
            _readers.Add((Cpus[slot], t));
            t.Start();
        }
    }

    /// <summary>The readers' thread ids are not known to .NET; the caller leaves the whole process out of the trace.</summary>
    private void Read(int slot)
    {
        int cpu = Cpus[slot];
        var path = Path.Combine(Instance, "per_cpu", $"cpu{cpu.ToString(System.Globalization.CultureInfo.InvariantCulture)}", "trace_pipe_raw");
        int fd = -1;
        try
        {
            // O_CLOEXEC: a child started while the reader runs (the workload, or any process a host starts) must not
            // inherit the fd; an inherited trace_pipe_raw keeps the instance busy (tr->trace_ref) for as long as that
            // child lives, and tracefs then refuses to remove the instance (kernel/trace/trace.c __remove_instance).
            fd = open(System.Text.Encoding.UTF8.GetBytes(path + "\0"), ORdOnly | ONonBlock | OCloExec);
            if (fd < 0) throw new IOException($"cannot open {path}: errno {Marshal.GetLastPInvokeError()}");
            using var file = _sink is null ? new FileStream(PageFile(cpu), FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16) : null;
            var page = new byte[PageSize];
            while (true)
            {
                nint n = read(fd, page, PageSize);
                if (n > 0)
                {
                    // A short read still starts a page; the file keeps whole pages so that page N is at N * page size.
                    if (n < PageSize) Array.Clear(page, (int)n, PageSize - (int)n);
                    if (file is not null) file.Write(page, 0, PageSize);
                    else
                    {
                        _sink!(cpu, page);
                        page = new byte[PageSize];
                    }
                    Interlocked.Add(ref _bytes[slot], PageSize);
                    continue;
                }
                int errno = n < 0 ? Marshal.GetLastPInvokeError() : EAgain;
                if (errno == EIntr) continue;
                if (errno != EAgain) throw new IOException($"reading {path}: errno {errno}");
                // Empty. When stopping (tracing is off), empty means drained.
                Interlocked.Increment(ref _drains[slot]);
                if (_stopping) break;
                Thread.Sleep(100);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DllNotFoundException or EntryPointNotFoundException)
        {
            _errors[slot] = e;
        }
        finally
        {
            if (fd >= 0) close(fd);
        }
    }

    /// <summary>Drains what the ring buffers still hold (the caller has turned tracing off) and waits for the readers;
    /// the first reader's error, if any.</summary>
    public Exception? Stop(TimeSpan timeout)
    {
        _stopping = true;
        var deadline = DateTime.UtcNow + timeout;
        foreach (var (_, t) in _readers)
        {
            var left = deadline - DateTime.UtcNow;
            if (!t.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero)) return new IOException("a ring-buffer reader did not finish in time; its page file may end early");
        }
        return _errors.FirstOrDefault(e => e is not null);
    }
}
