namespace TraceForensics.Cli.Output;

/// <summary>Writes a regular file atomically: into a temporary file beside it, then renamed over the target, so a
/// reader never sees half a report and a failed run leaves the old file in place. A file that existed keeps its mode
/// and owner; when the owner cannot be given back (not root, someone else's file we may write), the new content is
/// copied into the old file instead, which keeps its owner but is not atomic. Use <see cref="OutputTarget"/>, which
/// decides whether a path is a regular file at all.</summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? ".";
        // A name nobody can guess, created exclusively (O_EXCL): in a shared directory a symlink planted at the
        // temporary's name must not redirect the write.
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var old = UnixFile.Stat(full);
        bool created = false;
        try
        {
            using (var s = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                created = true;
                write(s);
                s.Flush(flushToDisk: true);
            }
            if (old.Kind == UnixFile.Kind.Regular)
            {
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tmp, (UnixFileMode)old.Mode);
                var mine = UnixFile.Stat(tmp);
                if ((mine.Uid != old.Uid || mine.Gid != old.Gid) && !UnixFile.Chown(tmp, old.Uid, old.Gid))
                {
                    using var source = File.OpenRead(tmp);
                    using var target = new FileStream(full, FileMode.Truncate, FileAccess.Write, FileShare.None);
                    source.CopyTo(target);
                    target.Flush(flushToDisk: true);
                    return;
                }
            }
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (created && File.Exists(tmp)) File.Delete(tmp);
        }
    }
}
