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
        using var buffer = new MemoryStream();
        render(buffer);
        var bytes = buffer.ToArray();
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        if (!Events.Model.UntrustedText.IsSafeOutput(text))
        {
            text = Events.Model.UntrustedText.GuardOutput(text);
            bytes = System.Text.Encoding.UTF8.GetBytes(text);
        }
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
        stdout.Write(text);
        stdout.Flush();
        return true;
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
