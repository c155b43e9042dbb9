using System.Diagnostics;

namespace TraceForensics.Cli.Reports;

/// <summary>Renders DOT to SVG with Graphviz's <c>dot</c> program, where it is installed.</summary>
internal static class SvgRenderer
{
    /// <summary>The SVG bytes, or null with the reason (dot missing or failing).</summary>
    public static byte[]? Render(string dot, out string? error)
    {
        error = null;
        try
        {
            var psi = new ProcessStartInfo("dot", "-Tsvg")
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
            p.StandardInput.Write(dot);
            p.StandardInput.Close();
            copy.Wait();
            p.WaitForExit();
            if (p.ExitCode != 0)
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
