using System.Diagnostics;

namespace TraceForensics.Cli.Reports;

/// <summary>Renders DOT to SVG with Graphviz's <c>dot</c> program, where it is installed.</summary>
internal static class SvgRenderer
{
    /// <summary>The SVG bytes, or null with the reason (dot missing or failing).</summary>
    public static byte[]? Render(string dot, out string? error) => Render(dot, "dot", out error);

    /// <summary>As <see cref="Render(string, out string?)"/> with another program in dot's place (tests).</summary>
    internal static byte[]? Render(string dot, string program, out string? error)
    {
        error = null;
        try
        {
            var psi = new ProcessStartInfo(program, "-Tsvg")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var p = Process.Start(psi)!;
            var stderrTask = p.StandardError.ReadToEndAsync();
            using var svg = new MemoryStream();
            var copy = p.StandardOutput.BaseStream.CopyToAsync(svg);
            try
            {
                p.StandardInput.BaseStream.Write(System.Text.Encoding.UTF8.GetBytes(dot));
            }
            catch (IOException)
            {
                // dot exited before it read all of the graph (a broken pipe): its exit code and message say why.
            }
            try
            {
                p.StandardInput.Close();
            }
            catch (IOException)
            {
            }
            copy.Wait();
            p.WaitForExit();
            if (p.ExitCode != 0 || svg.Length == 0)
            {
                error = $"dot -Tsvg failed (exit {p.ExitCode}): {stderrTask.Result.Trim()}";
                return null;
            }
            return svg.ToArray();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            error = "svg needs Graphviz's dot program, which is not installed (apt-get install graphviz); --format dot writes the graph itself";
            return null;
        }
    }
}
