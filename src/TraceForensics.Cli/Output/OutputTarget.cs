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
