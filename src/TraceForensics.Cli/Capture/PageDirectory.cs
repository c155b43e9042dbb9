using TraceForensics.Cli.Output;

namespace TraceForensics.Cli.Capture;

/// <summary>Where `tracefx record` keeps the per-CPU page files while it records: beside the output (a hidden
/// <c>.NAME.PID.pages</c>, on the same filesystem, so the trace.dat is made without crossing filesystems) when the
/// output is a regular file, or a new one, in a directory this process can create in; else (a device such as
/// <c>-o /dev/null</c>, a FIFO, a read-only directory) a new directory in $TMPDIR (<see cref="Path.GetTempPath"/>).
/// Disposing removes it with everything in it; the caller disposes it in a finally, so that every exit path, an
/// unexpected exception included, leaves nothing behind.</summary>
internal sealed class PageDirectory : IDisposable
{
    private PageDirectory(string path) { Path = path; }

    public string Path { get; }

    /// <summary>Creates the directory for <paramref name="output"/>.</summary>
    public static PageDirectory For(string output)
    {
        var target = Target(output);
        if (IsFile(output) && System.IO.Path.GetDirectoryName(target) is { } directory)
        {
            var beside = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(target)}.{Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)}.pages");
            try
            {
                if (!Directory.Exists(beside))
                {
                    Directory.CreateDirectory(beside);
                    return new PageDirectory(beside);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return InTemp();
    }

    /// <summary>Whether <paramref name="output"/> (its symlinks followed) is a regular file or a new one, not a device,
    /// FIFO or socket: files beside it (the page files, FILE.topology.txt, FILE.dmesg.txt) belong beside it only then.</summary>
    public static bool IsFile(string output) => UnixFile.Stat(Target(output)).Kind is UnixFile.Kind.Missing or UnixFile.Kind.Regular;

    private static string Target(string output)
    {
        var full = System.IO.Path.GetFullPath(output);
        try { return File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full; }
        catch (IOException) { return full; }
    }

    /// <summary>A new directory in $TMPDIR.</summary>
    public static PageDirectory InTemp() => new(Directory.CreateTempSubdirectory("tracefx-pages-").FullName);

    public void Dispose()
    {
        try { if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
