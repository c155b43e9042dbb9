using System.Text.Json;
using TraceForensics.Ingest.Diagnostics;

namespace TraceForensics.Cli.Output;

/// <summary>Where a command's result goes: a file given with -o (<see cref="OutputTarget"/>), else stdout; every
/// rendered output passes the same last check for control characters on the way.</summary>
internal static class CommandOutput
{
    /// <summary>Renders, passes the result through <see cref="Events.Model.UntrustedText.GuardOutput"/> (no control
    /// character reaches the bytes written, whatever the writer), then writes it to the file (<see cref="OutputTarget"/>)
    /// or stdout. False, after a message on stderr, when the file cannot be written (a read-only directory, a full
    /// disk): the old file, if any, is left as it was.</summary>
    public static bool Emit(string? path, TextWriter stdout, TextWriter stderr, Action<Stream> render)
    {
        var bytes = Render(render);
        if (path is not null)
        {
            try
            {
                OutputTarget.Write(path, s => s.Write(bytes));
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine(Events.Model.UntrustedText.ForTerminal($"tracefx: cannot write {path}: {e.Message}; nothing was written"));
                return false;
            }
        }
        stdout.Write(System.Text.Encoding.UTF8.GetString(bytes));
        stdout.Flush();
        return true;
    }

    /// <summary>Lines of untrusted text (a kernel log, a dump of blocked tasks), each ended by "\n", written to
    /// <paramref name="path"/> through <see cref="Emit"/>: checked for control characters and written by the output path.</summary>
    public static bool EmitLines(string path, IEnumerable<string> lines, TextWriter stderr) =>
        Emit(path, TextWriter.Null, stderr, Text(w => { foreach (var l in lines) w.Write(l + "\n"); }));

    /// <summary>Renders several files into directory <paramref name="dir"/> and writes them as one set
    /// (<see cref="OutputTarget.WriteSet"/>): on a full disk no file of the set is replaced. False, after a message on
    /// stderr that says which files are new and which are not, when one cannot be written.</summary>
    public static bool EmitSet(string dir, IEnumerable<(string Name, Action<Stream> Render)> files, TextWriter stderr)
    {
        var rendered = files.Select(f =>
        {
            var bytes = Render(f.Render);
            return (Path.Combine(dir, f.Name), (Action<Stream>)(s => s.Write(bytes)));
        }).ToList();
        var replaced = new List<string>();
        try
        {
            OutputTarget.WriteSet(rendered, replaced);
            return true;
        }
        catch (OutputSetException e)
        {
            var names = replaced.Select(Path.GetFileName).ToList();
            stderr.WriteLine(Events.Model.UntrustedText.ForTerminal(names.Count == 0
                ? $"tracefx: cannot write {e.Path}: {e.Message}; no file in {dir} was written or replaced"
                : $"tracefx: cannot write {e.Path}: {e.Message}; {string.Join(", ", names)} in {dir} were replaced before that, the others were not"));
            return false;
        }
    }

    /// <summary>The bytes <paramref name="render"/> writes, passed through <see cref="Events.Model.UntrustedText.GuardOutput"/>.</summary>
    private static byte[] Render(Action<Stream> render)
    {
        using var buffer = new MemoryStream();
        render(buffer);
        var bytes = buffer.ToArray();
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        return Events.Model.UntrustedText.IsSafeOutput(text) ? bytes : System.Text.Encoding.UTF8.GetBytes(Events.Model.UntrustedText.GuardOutput(text));
    }

    /// <summary>Renders text through a writer with "\n" line ends (the same bytes on every platform).</summary>
    public static Action<Stream> Text(Action<TextWriter> write) => s =>
    {
        using var w = new StreamWriter(s, leaveOpen: true) { NewLine = "\n" };
        write(w);
    };

    /// <summary>The kept diagnostics as the JSON array both schemas share.</summary>
    public static void WriteDiagnostics(Utf8JsonWriter w, DiagnosticLog log)
    {
        w.WriteStartArray("diagnostics");
        foreach (var d in log.Kept)
        {
            w.WriteStartObject();
            w.WriteString("path", d.Path);
            w.WriteNumber("line", d.Line);
            w.WriteString("severity", Diagnostic.SeverityName(d.Severity));
            w.WriteString("code", d.Code);
            w.WriteString("message", d.Message);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
