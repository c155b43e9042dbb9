namespace TraceForensics.Capture;

/// <summary>A recording in tracefs's own instance (<c>instances/tracefx-PID</c>, one per tracefx process, so other
/// tracing on the machine, and another tracefx recording at the same time, is left alone): events enabled, stack
/// triggers, page-lock probes where the kernel has kprobes, the capture of the ring buffers (<see cref="StartBinary"/>).
/// Disposing undoes everything it armed (the instance is removed, probes deleted), on every exit path.</summary>
public sealed class TracefsRecording : IDisposable
{
    /// <summary>The instance names' prefix; a process's own instance is <see cref="InstanceNameFor"/>.</summary>
    public const string InstancePrefix = "tracefx";

    /// <summary>The instance a tracefx process records in: <c>tracefx-PID</c>.</summary>
    public static string InstanceNameFor(int pid) => $"{InstancePrefix}-{pid.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
    private readonly Tracefs _fs;
    private readonly List<string> _probesAdded = new();
    private readonly List<(string Path, string Trigger)> _triggersSet = new();
    private RingBufferCapture? _raw;

    private TracefsRecording(Tracefs fs, string instance)
    {
        _fs = fs;
        Instance = instance;
    }

    public string Instance { get; }
    public List<string> Enabled { get; } = new();
    public List<string> Missing { get; } = new();
    public List<string> Notes { get; } = new();

    /// <summary>Creates the instance and arms it; null with the reason when tracefs refuses.</summary>
    public static TracefsRecording? Arm(Tracefs fs, IEnumerable<string> events, IEnumerable<(string Event, string Trigger)> triggers,
                                        IEnumerable<(string Name, string Definition)> probes, int bufferKb, out string? why)
    {
        why = null;
        if (!fs.HasInstances) { why = "this kernel's tracefs has no instances directory"; return null; }
        RemoveStaleInstances(fs);
        // tracefx-PID; when this process's earlier recording left it busy (tracefs refuses to remove an instance whose
        // files are still open), tracefx-PID-N, so one process can record again at once.
        var dir = Path.Combine(fs.Root, "instances", InstanceNameFor(Environment.ProcessId));
        for (int n = 1; Directory.Exists(dir); n++)
        {
            try { Directory.Delete(dir); }
            catch (IOException e)
            {
                if (n > 8) { why = $"{dir} exists and cannot be removed: {e.Message}"; return null; }
                dir = Path.Combine(fs.Root, "instances", $"{InstanceNameFor(Environment.ProcessId)}-{n}");
            }
        }
        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            why = $"cannot create the tracefs instance {dir}: {e.Message}";
            return null;
        }
        var rec = new TracefsRecording(fs, dir);
        try
        {
            Tracefs.TryWrite(Path.Combine(dir, "tracing_on"), "0", out _);
            if (!Tracefs.TryWrite(Path.Combine(dir, "buffer_size_kb"), bufferKb.ToString(System.Globalization.CultureInfo.InvariantCulture), out var err))
                rec.Notes.Add($"buffer_size_kb {bufferKb} refused ({err}); the default buffer is used");
            foreach (var (name, definition) in probes) rec.AddProbe(name, definition);
            foreach (var e in events.Concat(rec._probesAdded.Select(p => p)).Distinct())
            {
                var path = e.Contains('/') ? e : fs.EventPath(e);
                if (path is null || !Tracefs.TryWrite(Path.Combine(dir, "events", path, "enable"), "1", out _)) { rec.Missing.Add(e); continue; }
                rec.Enabled.Add(path);
            }
            foreach (var (e, trigger) in triggers)
            {
                if (fs.EventPath(e) is not { } path || !rec.Enabled.Contains(path)) continue;
                var file = Path.Combine(dir, "events", path, "trigger");
                if (Tracefs.TryWrite(file, trigger, out var terr)) rec._triggersSet.Add((file, trigger));
                else rec.Notes.Add($"stack trigger on {e} refused ({terr})");
            }
            return rec;
        }
        catch
        {
            rec.Dispose();
            throw;
        }
    }

    /// <summary>Removes the instances of tracefx processes that no longer run (a recording killed outright leaves its
    /// instance; so did releases that named it plain <c>tracefx</c>). A live process's instance is left alone; tracefs
    /// refuses to remove an instance whose files are open anyway.</summary>
    private static void RemoveStaleInstances(Tracefs fs)
    {
        var instances = Path.Combine(fs.Root, "instances");
        string[] names;
        try { names = Directory.GetDirectories(instances, InstancePrefix + "*").Select(Path.GetFileName).OfType<string>().ToArray(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        foreach (var name in names)
        {
            bool stale = name == InstancePrefix
                || (name.StartsWith(InstancePrefix + "-", StringComparison.Ordinal)
                    && int.TryParse(PidPart(name.AsSpan(InstancePrefix.Length + 1)), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid)
                    && pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}"));
            if (!stale) continue;
            try { Directory.Delete(Path.Combine(instances, name)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    /// <summary>This process's open files inside <paramref name="dir"/> (tracefs refuses to remove an instance while one
    /// of its files is open: kernel/trace/trace.c <c>__remove_instance</c> returns -EBUSY while <c>tr->ref</c> or
    /// <c>tr->trace_ref</c> is held), as "; open here: ..."; empty when none is found.</summary>
    private static string OpenFilesIn(string dir)
    {
        var open = new List<string>();
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith(dir + "/", StringComparison.Ordinal))
                    open.Add(target[(dir.Length + 1)..]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return open.Count == 0 ? "" : "; open here: " + string.Join(", ", open.Order(StringComparer.Ordinal));
    }

    /// <summary>The pid of an instance name's <c>PID</c> or <c>PID-N</c>.</summary>
    private static ReadOnlySpan<char> PidPart(ReadOnlySpan<char> s) => s.IndexOf('-') is int dash and >= 0 ? s[..dash] : s;

    /// <summary>A kprobe (global: kprobe_events has no instances), remembered so that it is deleted at the end.</summary>
    private void AddProbe(string name, string definition)
    {
        if (!_fs.HasKprobes) return;
        Tracefs.TryWrite(Path.Combine(_fs.Root, "kprobe_events"), $"-:tfx/{name}", out _, append: true); // a killed run's probe
        if (Tracefs.TryWrite(Path.Combine(_fs.Root, "kprobe_events"), definition, out var err, append: true))
            _probesAdded.Add($"tfx/{name}");
        else Notes.Add($"probe {name} refused ({err})");
    }

    /// <summary>Starts tracing and the binary capture: each CPU's ring-buffer pages appended to a page file in
    /// <paramref name="directory"/> (<see cref="RingBufferCapture"/>), until <see cref="Stop"/>.</summary>
    public RingBufferCapture StartBinary(string directory) =>
        Start(new RingBufferCapture(Instance, RingBufferCapture.CpusOf(Instance), directory, Environment.SystemPageSize));

    /// <summary>Starts tracing and a live capture: each page read goes to <paramref name="sink"/> (on the CPU's reader
    /// thread) as it arrives, until <see cref="Stop"/>.</summary>
    public RingBufferCapture StartLive(Action<int, byte[]> sink) =>
        Start(new RingBufferCapture(Instance, RingBufferCapture.CpusOf(Instance), Environment.SystemPageSize, sink));

    private RingBufferCapture Start(RingBufferCapture raw)
    {
        _raw = raw;
        raw.Start();
        LeaveOwnThreadsOutAndStart();
        return raw;
    }

    /// <summary>The ring buffer's clock now on <paramref name="cpu"/> (<c>per_cpu/cpuN/stats</c> "now ts:", seconds with
    /// microseconds, kernel/trace/trace.c tracing_stats_read), in nanoseconds; null when it cannot be read (a counting
    /// clock prints an integer and is read as such).</summary>
    public long? NowNs(int cpu)
    {
        foreach (var line in CpuStats(cpu).Split('\n'))
        {
            if (!line.StartsWith("now ts:", StringComparison.Ordinal)) continue;
            var text = System.Text.Encoding.ASCII.GetBytes(line["now ts:".Length..].Trim());
            return TraceForensics.Ingest.Formats.AsciiSpan.TryParseTimestamp(text, out long ns) ? ns : null;
        }
        return null;
    }

    private void LeaveOwnThreadsOutAndStart()
    {
        // Not our own threads: their wakeups would fill the trace with tracefx's own scheduling. The threads of this
        // process are left out (commands it starts are not).
        Thread.Sleep(50);
        var tids = Directory.Exists("/proc/self/task")
            ? string.Join(' ', Directory.GetDirectories("/proc/self/task").Select(Path.GetFileName))
            : Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!Tracefs.TryWrite(Path.Combine(Instance, "set_event_notrace_pid"), tids, out var err))
            Notes.Add($"tracefx's own threads could not be left out of the trace ({err})");
        Tracefs.TryWrite(Path.Combine(Instance, "tracing_on"), "1", out _);
    }

    /// <summary>Stops tracing and lets the readers drain what the ring buffers hold; the readers' error, if any.</summary>
    public Exception? Stop()
    {
        if (_raw is not { } raw) return null;
        _raw = null;
        Tracefs.TryWrite(Path.Combine(Instance, "tracing_on"), "0", out _);
        return raw.Stop(TimeSpan.FromSeconds(30));
    }

    /// <summary>Sets the ring buffers' per-CPU size while recording (the kernel resizes them in place); false, with a
    /// note, when it refuses.</summary>
    public bool Resize(int kb)
    {
        if (Tracefs.TryWrite(Path.Combine(Instance, "buffer_size_kb"), kb.ToString(System.Globalization.CultureInfo.InvariantCulture), out var err)) return true;
        Notes.Add($"buffer_size_kb {kb} refused ({err})");
        return false;
    }

    /// <summary>A CPU's ring-buffer counters (<c>per_cpu/cpuN/stats</c>: entries, overrun, commit overrun, bytes,
    /// oldest event ts, now ts, dropped events, read events), as the kernel prints them; empty when unreadable.</summary>
    public string CpuStats(int cpu)
    {
        try { return File.ReadAllText(Path.Combine(Instance, "per_cpu", $"cpu{cpu.ToString(System.Globalization.CultureInfo.InvariantCulture)}", "stats")); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }
    }

    /// <summary>The instance's trace_clock file: the clocks, the one in use in brackets.</summary>
    public string TraceClock =>
        File.Exists(Path.Combine(Instance, "trace_clock")) ? File.ReadAllText(Path.Combine(Instance, "trace_clock")).Trim() : "[local]";

    /// <summary>Events the ring buffer dropped (per-cpu "overrun" counters).</summary>
    public long LostEvents()
    {
        long lost = 0;
        var perCpu = Path.Combine(Instance, "per_cpu");
        if (!Directory.Exists(perCpu)) return 0;
        foreach (var cpu in Directory.GetDirectories(perCpu))
        {
            var stats = Path.Combine(cpu, "stats");
            if (!File.Exists(stats)) continue;
            foreach (var line in File.ReadLines(stats))
                if (line.StartsWith("overrun:", StringComparison.Ordinal) && long.TryParse(line[8..].Trim(), out long n)) lost += n;
        }
        return lost;
    }

    public void Dispose()
    {
        Stop();
        Tracefs.TryWrite(Path.Combine(Instance, "tracing_on"), "0", out _);
        // Triggers must go before the instance can be removed.
        foreach (var (file, trigger) in _triggersSet) Tracefs.TryWrite(file, "!" + trigger, out _);
        _triggersSet.Clear();
        foreach (var path in Enabled) Tracefs.TryWrite(Path.Combine(Instance, "events", path, "enable"), "0", out _);
        try { Directory.Delete(Instance); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Notes.Add($"instance not removed: {e.Message}{OpenFilesIn(Instance)}");
        }
        foreach (var probe in _probesAdded)
            Tracefs.TryWrite(Path.Combine(_fs.Root, "kprobe_events"), "-:" + probe, out _, append: true);
        _probesAdded.Clear();
    }
}
