namespace TraceForensics.Cli.Output;

/// <summary>The one way every command writes a file it was given (<c>-o</c>, the TUI's export, what <c>record</c>
/// saves): a symlink is followed and its target written; a regular file (or a new one) is written atomically keeping
/// its mode and owner (<see cref="AtomicFile"/>); a device, FIFO or terminal is written through, never replaced
/// (<c>-o /dev/null</c> stays a device); a directory is an error.</summary>
public static class OutputTarget
{
    public static void Write(string path, Action<Stream> write)
    {
        var target = FinalTarget(path);
        var status = UnixFile.Stat(target);
        switch (status.Kind)
        {
            case UnixFile.Kind.Missing:
            case UnixFile.Kind.Regular:
                AtomicFile.Write(target, write);
                break;
            case UnixFile.Kind.Directory:
                throw new IOException("it is a directory");
            default:
                using (var s = new FileStream(target, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1))
                {
                    write(s);
                    s.Flush();
                }
                break;
        }
    }

    /// <summary>Writes several files as one set (the tables of <c>report --format csv</c>): every regular file's content is
    /// first written into its temporary (<see cref="AtomicFile.Prepare"/>); only when all are written are devices and
    /// FIFOs written through and then the temporaries renamed over their targets. A failure while writing (a full disk)
    /// leaves every target as it was; one while putting them in place (rare: a rename) leaves those named in
    /// <paramref name="replaced"/> new and the others old. The failure is an <see cref="OutputSetException"/> naming
    /// the file.</summary>
    public static void WriteSet(IReadOnlyList<(string Path, Action<Stream> Write)> files, List<string> replaced)
    {
        var pending = new List<(string Path, AtomicFile.Pending? File, Action<Stream> Write)>();
        try
        {
            foreach (var (path, write) in files)
            {
                var target = FinalTarget(path);
                switch (UnixFile.Stat(target).Kind)
                {
                    case UnixFile.Kind.Missing:
                    case UnixFile.Kind.Regular:
                        pending.Add((path, Failing(path, () => AtomicFile.Prepare(target, write)), write));
                        break;
                    case UnixFile.Kind.Directory:
                        throw new OutputSetException(path, new IOException("it is a directory"));
                    default:
                        pending.Add((path, null, write));
                        break;
                }
            }
            foreach (var (path, _, write) in pending.Where(p => p.File is null))
            {
                Failing(path, () => { Write(path, write); return 0; });
                replaced.Add(path);
            }
            foreach (var (path, file, _) in pending.Where(p => p.File is not null))
            {
                Failing(path, () => { file!.Commit(); return 0; });
                replaced.Add(path);
            }
        }
        finally
        {
            foreach (var (_, file, _) in pending) file?.Dispose();
        }
    }

    private static T Failing<T>(string path, Func<T> step)
    {
        try
        {
            return step();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not OutputSetException)
        {
            throw new OutputSetException(path, e);
        }
    }

    /// <summary>The path with every symlink followed (a dangling one names the file it would create).</summary>
    private static string FinalTarget(string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            return File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full;
        }
        catch (IOException)
        {
            return full; // a symlink loop: writing it fails with the kernel's message
        }
    }
}
