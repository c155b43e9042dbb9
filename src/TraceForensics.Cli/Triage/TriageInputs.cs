using TraceForensics.Cli.Output;

namespace TraceForensics.Cli.Triage;

/// <summary>The inputs of <c>tracefx triage</c>: each path given, a directory's files recursed (in ordinal order of
/// names, so the output is the same on every run; a symlinked directory is not followed, so a link loop cannot
/// repeat inputs), lazily, so 100 000 inputs are never a list in memory. A path that cannot be read is an input
/// whose <see cref="TriageInput.Error"/> says why (a diagnostic row), and so is a file met in a directory that is not a
/// regular file (a FIFO would block the run).</summary>
public static class TriageInputs
{
    public static IEnumerable<TriageInput> Expand(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            if (path == "-")
            {
                yield return new TriageInput(path); // standard input, as analyze reads it
                continue;
            }
            var kind = UnixFile.Stat(path).Kind;
            if (kind == UnixFile.Kind.Directory)
                foreach (var input in Directory(path)) yield return input;
            else if (kind == UnixFile.Kind.Missing)
                yield return new TriageInput(path, "no such file or directory");
            else
                yield return new TriageInput(path);
        }
    }

    private static IEnumerable<TriageInput> Directory(string dir)
    {
        string[] entries;
        string? error = null;
        try
        {
            entries = System.IO.Directory.GetFileSystemEntries(dir);
            Array.Sort(entries, StringComparer.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            entries = [];
            error = e.Message;
        }
        if (error is not null) yield return new TriageInput(dir, $"cannot list the directory: {error}");
        foreach (var entry in entries)
        {
            var info = new FileInfo(entry);
            if (info.Attributes.HasFlag(FileAttributes.Directory))
            {
                if (info.LinkTarget is not null) continue; // a symlinked directory: not followed
                foreach (var input in Directory(entry)) yield return input;
            }
            else if (UnixFile.Stat(entry).Kind is var kind and not (UnixFile.Kind.Regular or UnixFile.Kind.Missing))
                // A FIFO with no writer blocks its reader for ever (fifo(7)); a device or socket is no log either. Named on
                // the command line such a file is read (a process substitution); met while recursing, it is not opened.
                yield return new TriageInput(entry, $"not a regular file ({kind}): not read");
            else yield return new TriageInput(entry);
        }
    }
}

/// <summary>One input file of a triage run, or a path that could not be read (<see cref="Error"/>).</summary>
public sealed record TriageInput(string Path, string? Error = null);
