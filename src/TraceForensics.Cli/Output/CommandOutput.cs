using System.Text.Json;
using TraceForensics.Ingest.Diagnostics;

namespace TraceForensics.Cli.Output;

/// <summary>Where a command's result goes: a file given with -o (written atomically), else stdout.</summary>
internal static class CommandOutput
{
    public static void Emit(string? path, TextWriter stdout, Action<Stream> render)
    {
        if (path is not null)
        {
            AtomicFile.Write(path, render);
            return;
        }
        using var buffer = new MemoryStream();
        render(buffer);
        stdout.Write(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
        stdout.Flush();
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
