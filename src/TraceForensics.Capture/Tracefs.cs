namespace TraceForensics.Capture;

/// <summary>The kernel's tracefs: where it is mounted, which events exist (by name, across subsystems), and small
/// read/write helpers that turn the kernel's refusals into messages instead of exceptions.</summary>
public sealed class Tracefs
{
    public const string DefaultMount = "/sys/kernel/tracing";
    private readonly Dictionary<string, string> _eventDirs; // name -> "subsys/name"

    private Tracefs(string root)
    {
        Root = root;
        _eventDirs = new(StringComparer.Ordinal);
        var available = Path.Combine(root, "available_events");
        if (File.Exists(available))
            foreach (var line in File.ReadLines(available))
            {
                int colon = line.IndexOf(':');
                if (colon > 0) _eventDirs.TryAdd(line[(colon + 1)..], $"{line[..colon]}/{line[(colon + 1)..]}");
            }
    }

    public string Root { get; }

    /// <summary>tracefs, or null with the reason (not mounted where expected, or not readable).</summary>
    public static Tracefs? Find(out string? why)
    {
        foreach (var root in new[] { DefaultMount, "/sys/kernel/debug/tracing" })
            if (File.Exists(Path.Combine(root, "available_events")))
            {
                why = null;
                return new Tracefs(root);
            }
        why = $"tracefs is not mounted at {DefaultMount} (as root: mount -t tracefs nodev {DefaultMount})";
        return null;
    }

    /// <summary>"subsys/name" of a tracepoint, or null when this kernel does not have it.</summary>
    public string? EventPath(string name) => _eventDirs.GetValueOrDefault(name);

    public bool HasKprobes => File.Exists(Path.Combine(Root, "kprobe_events"));
    public bool HasStackTriggers => File.ReadAllText(Path.Combine(Root, "README")).Contains("stacktrace", StringComparison.Ordinal);
    public bool HasInstances => Directory.Exists(Path.Combine(Root, "instances"));
    public static bool HasBtf => File.Exists("/sys/kernel/btf/vmlinux");

    /// <summary>Writes a control file; false with the kernel's refusal in <paramref name="error"/>.</summary>
    public static bool TryWrite(string path, string value, out string? error, bool append = false)
    {
        try
        {
            using var f = new FileStream(path, append ? FileMode.Append : FileMode.Open, FileAccess.Write);
            var bytes = System.Text.Encoding.ASCII.GetBytes(value + "\n");
            f.Write(bytes);
            error = null;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = e.Message;
            return false;
        }
    }
}
