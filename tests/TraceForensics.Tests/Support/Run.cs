using System.Text;
using TraceForensics.Events.Model;
using TraceForensics.Events.Reading;
using TraceForensics.Ingest.Formats;

namespace TraceForensics.Tests.Support;

/// <summary>Helpers that read trace text or files through the real pipeline.</summary>
public static class Run
{
    /// <summary>Reads trace text (one input named "test") and returns the session (already read) and its events.</summary>
    public static (TraceSession Session, List<TraceEvent> Events) Text(string text, TraceFormat format = TraceFormat.Unknown) =>
        Bytes(Encoding.UTF8.GetBytes(text), format);

    public static (TraceSession Session, List<TraceEvent> Events) Bytes(byte[] bytes, TraceFormat format = TraceFormat.Unknown)
    {
        var session = TraceSession.Open([("test", () => (Stream)new MemoryStream(bytes))], new TraceSessionOptions { Format = format });
        return (session, Drain(session));
    }

    public static (TraceSession Session, List<TraceEvent> Events) Files(params string[] paths)
    {
        var session = TraceSession.Open(paths);
        return (session, Drain(session));
    }

    /// <summary>Reads one trace line that must give exactly one event of <paramref name="kind"/> and no diagnostic.</summary>
    public static TraceEvent OneEvent(string line, EventKind kind)
    {
        var (session, events) = Text(line + "\n");
        Xunit.Assert.Empty(session.Tables.Diagnostics.Kept);
        var e = Xunit.Assert.Single(events);
        Xunit.Assert.Equal(kind, e.Kind);
        return e;
    }

    public static List<TraceEvent> Drain(TraceSession session)
    {
        var list = new List<TraceEvent>();
        while (session.Read(out var e)) list.Add(e);
        return list;
    }

    /// <summary>Writes text to a new temporary file and returns its path.</summary>
    public static string TempFile(string text)
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Runs the tracefx command line in-process; returns exit code, stdout and stderr.</summary>
    public static (int Exit, string Stdout, string Stderr) Cli(params string[] args)
    {
        var o = new StringWriter { NewLine = "\n" };
        var e = new StringWriter { NewLine = "\n" };
        int code = TraceForensics.Cli.Program.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    /// <summary>Runs the built tracefx (the managed build beside the tests) as a process with <paramref name="stdin"/> on
    /// its standard input (which the test host's own is not); exit code, stdout and stderr.</summary>
    public static (int Exit, string Stdout, string Stderr) CliWithInput(byte[] stdin, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "tracefx.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        // Written while the output is read: a large input and a full output pipe would otherwise wait on each other.
        var writer = Task.Run(() =>
        {
            try { p.StandardInput.BaseStream.Write(stdin); }
            catch (IOException) { } // it stopped reading (a usage error): what it said is the result
            finally { p.StandardInput.Close(); }
        });
        var errors = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        writer.Wait();
        p.WaitForExit();
        return (p.ExitCode, output, errors.Result);
    }
}
