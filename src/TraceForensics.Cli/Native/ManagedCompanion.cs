using System.Diagnostics;
using System.Runtime.InteropServices;

namespace TraceForensics.Cli.Native;

/// <summary>The native-compiled <c>tracefx</c> (Native AOT, <c>build.ps1 publish</c>) leaves the commands that need
/// Terminal.Gui or ClrMD (<c>tui</c>, <c>dotnet</c>, a .NET process dump given to <c>analyze</c> or <c>report</c>)
/// to its managed companion: the ordinary framework-dependent build, published beside it in <c>managed/</c>. Those
/// libraries stay out of the native binary, so the trace commands start without their module initializers and
/// without the size they add. The terminal UI has a native build of its own, <c>tracefx-tui</c> beside this one, when
/// <c>build.ps1 publish</c> made it (<see cref="For"/>). The companion gets the same command line, the same standard streams (the terminal,
/// for the UI) and the same environment, and its exit code is this one's.</summary>
internal static class ManagedCompanion
{
    /// <summary>Thrown where the native build meets a command only the managed build can run, before it wrote any
    /// output; <see cref="Program.Run"/> then hands the whole command line over.</summary>
    public sealed class Needed(string what, bool userInterface = false) : Exception($"{what} needs the managed build of tracefx")
    {
        public string What { get; } = what;

        /// <summary>The terminal UI: run by <c>tracefx-tui</c> beside this executable when it is there.</summary>
        public bool UserInterface { get; } = userInterface;
    }

    /// <summary>Where the companion is: <c>managed/tracefx</c> beside this executable.</summary>
    public static string PathBeside(string baseDirectory) => Path.Combine(baseDirectory, "managed", "tracefx");

    /// <summary>The native build of the terminal UI (<c>tracefx-tui</c>, Native AOT with Terminal.Gui), beside this
    /// executable; <c>build.ps1 publish</c> makes it.</summary>
    public static string UserInterfaceBeside(string baseDirectory) => Path.Combine(baseDirectory, "tracefx-tui");

    /// <summary>The program that runs what <paramref name="needed"/> names: the terminal UI's native build when it is
    /// needed and there (and this process is not it), else the managed companion.</summary>
    public static string For(Needed needed, string baseDirectory)
    {
        var ui = UserInterfaceBeside(baseDirectory);
        bool thisIsIt = Path.GetFileName(Environment.ProcessPath) == Path.GetFileName(ui);
        return needed.UserInterface && !thisIsIt && File.Exists(ui) ? ui : PathBeside(baseDirectory);
    }

    /// <summary>What is said when no program beside this one runs <paramref name="needed"/>: every program that could
    /// have, where it was looked for.</summary>
    public static string Missing(Needed needed, string baseDirectory) => needed.UserInterface
        ? $"tracefx: {needed.What} needs tracefx-tui or the managed build of tracefx, and neither is beside this one " +
          $"({UserInterfaceBeside(baseDirectory)}, {PathBeside(baseDirectory)}); `dotnet pwsh build.ps1 publish` makes them"
        : $"tracefx: {needed.What} needs the managed build of tracefx, which is not beside this one ({PathBeside(baseDirectory)}); " +
          "`dotnet pwsh build.ps1 publish` makes both";

    /// <summary>Runs the companion with <paramref name="args"/> and returns its exit code; 2 with a message when it is
    /// not there. While it runs, Ctrl-C and Ctrl-\ (sent by the terminal to both processes) are left to the companion
    /// and a SIGTERM or SIGHUP sent to this process is passed on to it, so a recording or a UI ends as it would on its own.</summary>
    public static int Run(string[] args, Needed needed, TextWriter stdout, TextWriter stderr)
    {
        var path = For(needed, AppContext.BaseDirectory);
        if (!File.Exists(path))
        {
            stderr.WriteLine(Events.Model.UntrustedText.ForTerminal(Missing(needed, AppContext.BaseDirectory)));
            return Program.ExitUsageOrNoInput;
        }
        stdout.Flush();
        stderr.Flush();
        var start = new ProcessStartInfo(path) { UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        Process? child = null;
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => c.Cancel = true);
        using var quit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, c => c.Cancel = true);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            if (child is { } running) _ = kill(running.Id, SigTerm);
        });
        // A hangup sent to this process alone (not by the terminal to its foreground group) is passed on too: left
        // to itself, this process would end and the child stay behind, an orphan on a terminal the shell took back.
        using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c =>
        {
            c.Cancel = true;
            if (child is { } running) _ = kill(running.Id, SigHup);
        });
        using (child = Process.Start(start)!)
        {
            child.WaitForExit();
            return child.ExitCode;
        }
    }

    private const int SigHup = 1; // asm-generic/signal.h
    private const int SigTerm = 15;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
