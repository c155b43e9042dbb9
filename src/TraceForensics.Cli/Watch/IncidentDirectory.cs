using TraceForensics.Capture;
using TraceForensics.Events.Model;

namespace TraceForensics.Cli.Watch;

/// <summary>A directory the watch writes incidents into: <c>-o</c>, made and locked (<see cref="LockFile"/>, held open
/// with no sharing: .NET takes an exclusive flock(2) for it, so that two watchers never write into one directory), or
/// the fallback directory (<see cref="Fallback"/>), made 0700 and not locked (watchers with different <c>-o</c> share
/// it). <see cref="Device"/> is the <c>st_dev</c> of its filesystem (statx(2) <c>stx_dev_major</c>:<c>stx_dev_minor</c>),
/// known before anything is written there, for <see cref="OutputInChain"/>. Everything that touches the directory is
/// bounded (<see cref="BoundedIo"/>): a frozen <c>-o</c> never hangs the watcher.</summary>
internal sealed class IncidentDirectory : IDisposable
{
    public const string LockFile = ".tracefx-watch.lock";

    /// <summary>The default <c>--fallback-dir</c>, on the tmpfs of <c>/dev/shm</c>: on no block device, so no frozen
    /// filesystem or stalled device of a chain is under it, and there on every Linux system (glibc's <c>shm_open(3)</c>
    /// lives there; systemd and container runtimes mount it), where <c>/run</c> is not always a tmpfs (on the machine
    /// this was written on it is the root filesystem's). <c>/dev/shm</c> is mode 1777: another user could make the name
    /// first, so an existing directory is used only when it is this process's user's and not a symbolic link
    /// (<see cref="Fallback"/>), and the sticky bit keeps others from renaming or removing it (inode(7), "S_ISVTX").
    /// Its content does not survive a reboot: take incidents from there.</summary>
    public const string DefaultFallback = "/dev/shm/tracefx-incidents";

    /// <summary>How long making or locking a directory may take before it is taken for hung.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    public string Path { get; }
    /// <summary>MAJ:MIN of the directory's filesystem; null when statx could not say.</summary>
    public string? Device { get; private set; }
    /// <summary>False for <c>-o</c> when its lock is not held (another watcher took it after a SIGHUP, or it hung).</summary>
    public bool Usable => _lock is not null || !_locked;

    private readonly bool _locked;
    private FileStream? _lock;

    private IncidentDirectory(string path, bool locked)
    {
        Path = path;
        _locked = locked;
    }

    /// <summary><c>-o</c>, made and locked; null, after a message, when it cannot be, or another watcher holds it.</summary>
    public static IncidentDirectory? Take(string path, TextWriter stderr)
    {
        var d = new IncidentDirectory(System.IO.Path.GetFullPath(path), locked: true);
        return d.Reopen(stderr) ? d : null;
    }

    /// <summary>Makes the directory again and takes its lock anew (SIGHUP: log rotation may have moved it away) and
    /// reads its device again; false, after a message, when it cannot (the directory is then not <see cref="Usable"/>).</summary>
    public bool Reopen(TextWriter stderr)
    {
        _lock?.Dispose();
        _lock = null;
        try
        {
            if (!BoundedIo.Run<(FileStream? Lock, string? Device)>(cancel =>
                {
                    Directory.CreateDirectory(Path);
                    var taken = new FileStream(System.IO.Path.Combine(Path, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                    if (cancel.IsCancellationRequested) { taken.Dispose(); return default; }
                    return (taken, DeviceOf(Path));
                }, ProbeTimeout, out var taken, abandoned: late => late.Lock?.Dispose()))
            {
                stderr.WriteLine(UntrustedText.ForTerminal($"tracefx: {Path}: not made or locked within {ProbeTimeout.TotalSeconds} s (a frozen or hung filesystem?)"));
                return false;
            }
            (_lock, Device) = taken;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine(UntrustedText.ForTerminal($"tracefx: {Path}: {e.Message} (another tracefx watch may be writing there)"));
            return false;
        }
    }

    /// <summary>The fallback directory, made 0700 when missing; an existing one must be a directory of this process's
    /// user (not a symbolic link) and is then made 0700. Null, after a message, when it cannot be used.</summary>
    public static IncidentDirectory? Fallback(string path, TextWriter stderr)
    {
        var full = System.IO.Path.GetFullPath(path);
        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        try
        {
            if (!BoundedIo.Run<(string? Refused, string? Device)>(_ =>
                {
                    if (OperatingSystem.IsWindows()) return ("wants a Unix file mode (0700)", null);
                    if (!Directory.Exists(full) && !File.Exists(full)) Directory.CreateDirectory(full, Private);
                    var info = new DirectoryInfo(full);
                    if (info.LinkTarget is not null || !info.Exists) return ("is not a directory (or is a symbolic link)", null);
                    if (Statx.Of(full) is { } st && Statx.Of("/proc/self") is { } self && st.Uid != self.Uid)
                        return ($"belongs to uid {st.Uid}, not to this process's", null);
                    if (info.UnixFileMode != Private) info.UnixFileMode = Private;
                    return (null, DeviceOf(full));
                }, ProbeTimeout, out var made))
                made = ($"not made within {ProbeTimeout.TotalSeconds} s", null);
            if (made.Refused is { } refused)
            {
                stderr.WriteLine(UntrustedText.ForTerminal($"tracefx: --fallback-dir {full} {refused}"));
                return null;
            }
            return new IncidentDirectory(full, locked: false) { Device = made.Device };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine(UntrustedText.ForTerminal($"tracefx: --fallback-dir {full}: {e.Message}"));
            return null;
        }
    }

    private static string? DeviceOf(string path) => StorageTopology.FsOf(System.Text.Encoding.UTF8.GetBytes(path));

    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }
}
