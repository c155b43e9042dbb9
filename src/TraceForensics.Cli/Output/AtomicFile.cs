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
        using var pending = Prepare(path, write);
        pending.Commit();
    }

    /// <summary>Writes the new content into a temporary beside <paramref name="path"/> (with its mode and owner) and
    /// flushes it to the disk; nothing of <paramref name="path"/> changes until <see cref="Pending.Commit"/>. Disposing
    /// an uncommitted one removes the temporary. Several files replaced as one (<see cref="OutputTarget.WriteSet"/>) are
    /// all prepared before any is committed: a full disk fails while preparing, when no target has changed.</summary>
    public static Pending Prepare(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? ".";
        // A name nobody can guess, created exclusively (O_EXCL): in a shared directory a symlink planted at the
        // temporary's name must not redirect the write.
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var old = UnixFile.Stat(full);
        var pending = new Pending(full, tmp);
        try
        {
            using (var s = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                pending.Created = true;
                write(s);
                s.Flush(flushToDisk: true);
            }
            if (old.Kind == UnixFile.Kind.Regular)
            {
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tmp, (UnixFileMode)old.Mode);
                var mine = UnixFile.Stat(tmp);
                pending.CopyIntoOld = (mine.Uid != old.Uid || mine.Gid != old.Gid) && !UnixFile.Chown(tmp, old.Uid, old.Gid);
            }
            return pending;
        }
        catch
        {
            pending.Dispose();
            throw;
        }
    }

    /// <summary>A new content written beside its target, not yet in place.</summary>
    public sealed class Pending(string target, string temporary) : IDisposable
    {
        internal bool Created { get; set; }
        internal bool CopyIntoOld { get; set; }

        /// <summary>The file this replaces.</summary>
        public string Target => target;

        /// <summary>Puts the new content in place: renamed over the target, or copied into it when its owner could not
        /// be given to the temporary.</summary>
        public void Commit()
        {
            if (CopyIntoOld)
            {
                using var source = File.OpenRead(temporary);
                using var old = new FileStream(target, FileMode.Truncate, FileAccess.Write, FileShare.None);
                source.CopyTo(old);
                old.Flush(flushToDisk: true);
                return;
            }
            File.Move(temporary, target, overwrite: true);
        }

        public void Dispose()
        {
            if (Created && File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
