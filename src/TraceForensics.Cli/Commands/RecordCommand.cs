using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using TraceForensics.Capture;
using TraceForensics.Cli.Capture;
using TraceForensics.Cli.Output;

namespace TraceForensics.Cli.Commands;

/// <summary><c>tracefx record -o FILE [--duration S] [--buffer-kb N] [--zstd] [--events LIST] [-- COMMAND ARGS...]</c>: arms tracefs in
/// its own instance, reads the per-CPU ring buffers' pages (<see cref="RingBufferCapture"/>) until the duration ends,
/// the command exits or Ctrl-C, then writes FILE: a trace.dat when it ends in .dat, else the trace.dat's text, saves the kernel log of
/// the same period beside it (FILE.dmesg.txt) and the storage topology at its start (FILE.topology.txt: loop devices and
/// their backing filesystems, mounts, device-mapper devices), and undoes everything it armed on every exit path.</summary>
internal static class RecordCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var output = new Option<string>("--output", "-o") { Description = "The trace file: .dat a trace-cmd trace.dat version 7, else text (.gz compresses)", Required = true };
        var duration = new Option<double?>("--duration") { Description = "Seconds to record (default: until the command exits or Ctrl-C)" };
        duration.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double?>() is double d && !(double.IsFinite(d) && d > 0 && d <= 7 * 24 * 3600))
                r.AddError("--duration wants seconds greater than 0 (at most a week)");
        });
        var buffer = new Option<int?>("--buffer-kb") { Description = "Ring buffer per cpu, KiB (default: sized from the free memory and the event rate of the first second)" };
        var compress = new Option<bool>("--zstd") { Description = "Compress the trace.dat's sections and pages with zstd (as trace-cmd record --compression zstd)" };
        var events = new Option<string?>("--events") { Description = "Families to record, comma-separated: default, all, a family, -family to leave one out (tracefx doctor --events prices a selection)" };
        var commandArgs = new Argument<string[]>("command") { Description = "A command to run while recording (after --)", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("record", """
            Record the events tracefx needs on this machine's kernel (as root), then analyse the file.

            Examples:
              sudo tracefx record -o hang.dat --duration 60
              sudo tracefx record -o hang.txt.gz --duration 60
              sudo tracefx record -o hang.dat --events default,-work-queued --duration 60
              sudo tracefx record -o fsync.txt -- dd if=/dev/zero of=/mnt/x bs=1M count=64 conv=fsync
              tracefx analyze hang.txt.gz hang.txt.gz.dmesg.txt hang.txt.gz.topology.txt
            """);
        command.Add(output);
        command.Add(duration);
        command.Add(buffer);
        command.Add(compress);
        command.Add(events);
        command.Add(commandArgs);
        command.SetAction(parse =>
        {
            var families = EventSelection.Parse(parse.GetValue(events), out var error);
            if (families is null)
            {
                stderr.WriteLine($"tracefx: {error}");
                return Program.ExitUsageOrNoInput;
            }
            return Run(parse.GetValue(output)!, parse.GetValue(duration), parse.GetValue(buffer),
                parse.GetValue(commandArgs) ?? [], stdout, stderr, parse.GetValue(compress), families);
        });
        return command;
    }

    public static int Run(string output, double? duration, int? bufferKbAsked, string[] commandLine, TextWriter stdout, TextWriter stderr, bool zstd = false,
                          IReadOnlySet<Events.Model.EventKind>? families = null)
    {
        families ??= RecordingPlan.Default;
        if (TracefsAsRoot("record", stderr) is not { } fs) return Program.ExitUsageOrNoInput;
        var directory = Path.GetDirectoryName(Path.GetFullPath(output)) ?? ".";
        if (!Directory.Exists(directory))
        {
            stderr.WriteLine($"tracefx: the directory of {Events.Model.UntrustedText.ForTerminal(output)} does not exist");
            return Program.ExitUsageOrNoInput;
        }
        double uptimeAtStart = Uptime();
        // Signals are caught before anything is armed: a hangup (a closed ssh session), Ctrl-C, SIGTERM or SIGQUIT
        // stops the recording and the finally below undoes what was armed.
        var stop = new ManualResetEventSlim();
        var signals = new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT }
            .Select(sig => PosixSignalRegistration.Create(sig, ctx => { ctx.Cancel = true; stop.Set(); })).ToList();
        using var unregister = new Disposables(signals);
        int cpus = Environment.ProcessorCount;
        int ceilingKb = BufferSizing.CeilingKb(cpus);
        int bufferKb = bufferKbAsked ?? BufferSizing.InitialKb(cpus);
        // The page files' directory goes on every exit path, an exception included (using: a finally).
        bool sideFiles = PageDirectory.IsFile(output);
        using var pages = PageDirectory.For(output);
        var scratch = pages.Path;
        var recording = TracefsRecording.Arm(fs, RecordingPlan.Events(families), RecordingPlan.Triggers(families),
            RecordingPlan.Probes(Tracefs.HasBtf, families), bufferKb, out var why);
        if (recording is null)
        {
            stderr.WriteLine($"tracefx: {why}");
            return Program.ExitUsageOrNoInput;
        }
        int exit = Program.ExitOk;
        int notesShown = 0;
        string? topology = null;
        StorageTopology? topologyRead = null;
        TraceDatWriter? writer = null;
        List<RecordedPages> perCpu = [];
        List<(int Cpu, string PageFile)> pageFiles = [];
        try
        {
            stderr.WriteLine($"tracefx: recording {recording.Enabled.Count} events in {recording.Instance}" +
                             (recording.Missing.Count > 0 ? $" ({recording.Missing.Count} not on this kernel)" : ""));
            foreach (var note in recording.Notes) stderr.WriteLine($"tracefx: {note}");
            notesShown = recording.Notes.Count;
            // The topology and the kernel log go beside a file, never beside a device (-o /dev/null: not /dev/null.topology.txt).
            if (sideFiles) (topology, topologyRead) = SaveTopology(output + ".topology.txt", stderr);
            else stderr.WriteLine($"tracefx: {Events.Model.UntrustedText.ForTerminal(output)} is not a regular file: the storage topology and the kernel log are not saved beside it");
            var raw = recording.StartBinary(scratch);
            pageFiles = raw.Cpus.Select(c => (c, raw.PageFile(c))).ToList();
            Process? child = null;
            if (commandLine.Length > 0)
            {
                var psi = new ProcessStartInfo(commandLine[0]) { UseShellExecute = false };
                foreach (var a in commandLine.Skip(1)) psi.ArgumentList.Add(a);
                try { child = Process.Start(psi); }
                catch (System.ComponentModel.Win32Exception e)
                {
                    stderr.WriteLine(Events.Model.UntrustedText.ForTerminal($"tracefx: cannot run {commandLine[0]}: {e.Message}"));
                    exit = Program.ExitUsageOrNoInput;
                }
                if (child is not null) new Thread(() => { child.WaitForExit(); stop.Set(); }) { IsBackground = true }.Start();
            }
            if (exit == Program.ExitOk)
            {
                var started = Stopwatch.StartNew();
                // The first second's rate sizes the ring buffers (unless --buffer-kb said the size).
                if (bufferKbAsked is null && !stop.Wait(TimeSpan.FromSeconds(Math.Min(1, duration ?? 1))))
                {
                    double rate = raw.MostBytesReadOnOneCpu / Math.Max(0.001, started.Elapsed.TotalSeconds);
                    int grown = BufferSizing.ForRate(rate, bufferKb, ceilingKb);
                    if (grown > bufferKb && recording.Resize(grown)) bufferKb = grown;
                }
                if (duration is double d) stop.Wait(TimeSpan.FromSeconds(Math.Max(0, d - started.Elapsed.TotalSeconds)));
                else if (child is not null || commandLine.Length == 0) stop.Wait();
            }
            // Where the FUSE daemons sleep at the end (their stacks, which no trace event of an S sleep carries): the
            // topology is written again with them, before the command is killed (a daemon of the command dies with it).
            if (topology is not null && topologyRead is { FuseDevHolders.Count: > 0 })
            {
                topologyRead.ReadStacksOfFuseDevHolders();
                if (WriteTopology(topology, topologyRead, stderr) is null) topology = null;
            }
            if (child is { HasExited: false }) { try { child.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } }
            if (recording.Stop() is { } error)
            {
                stderr.WriteLine($"tracefx: reading the ring buffers failed: {error.Message}");
                exit = Program.ExitUsageOrNoInput;
            }
            if (exit == Program.ExitOk)
            {
                // The formats are read while the instance and its probes still exist; the pages are already on disk.
                writer = TraceDatOutput.Prepare(fs, recording, raw, zstd, out perCpu);
            }
        }
        finally
        {
            recording.Dispose();
            // What went wrong while stopping or undoing (an instance that could not be removed) is said, not dropped.
            foreach (var note in recording.Notes.Skip(notesShown)) stderr.WriteLine($"tracefx: {note}");
        }
        if (exit != Program.ExitOk || writer is null)
        {
            if (topology is not null) File.Delete(topology);
            return exit == Program.ExitOk ? Program.ExitUsageOrNoInput : exit;
        }
        try
        {
            // Text is made after the capture (never on its path), from the trace.dat's metadata and the page files
            // streamed a page at a time, so memory stays bounded however long the recording.
            if (TraceDatOutput.Wanted(output)) OutputTarget.Write(output, s => writer.Write(s, scratch));
            else OutputTarget.Write(output, s => TraceDatText.Write(writer.Metadata(), pageFiles, s, gzip: output.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine(Events.Model.UntrustedText.ForTerminal($"tracefx: {output}: {e.Message}"));
            return Program.ExitUsageOrNoInput;
        }
        var summary = TraceDatOutput.Summary(output, perCpu, bufferKb);
        var dmesg = sideFiles ? SaveKernelLog(output + ".dmesg.txt", uptimeAtStart, stderr) : null;
        stderr.WriteLine(Events.Model.UntrustedText.ForTerminal(summary));
        if (topology is not null) stderr.WriteLine($"tracefx: the storage topology at the start (and the FUSE daemons' stacks at the end) is in {topology}");
        stdout.WriteLine($"tracefx analyze {output}{(dmesg is null ? "" : " " + dmesg)}{(topology is null ? "" : " " + topology)}");
        return Program.ExitOk;
    }

    /// <summary>tracefs, when this process is root and it is mounted; else null after a message naming the command.</summary>
    internal static Tracefs? TracefsAsRoot(string command, TextWriter stderr)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            stderr.WriteLine($"tracefx: {command} needs root (tracefs control files are root's); run it with sudo");
            return null;
        }
        var fs = Tracefs.Find(out var why);
        if (fs is null) stderr.WriteLine($"tracefx: {why}");
        return fs;
    }

    /// <summary>The kernel log lines printed since the recording started, when there are any, written atomically; their
    /// file name.</summary>
    private static string? SaveKernelLog(string path, double since, TextWriter stderr)
    {
        try
        {
            var psi = new ProcessStartInfo("dmesg") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var p = Process.Start(psi)!;
            var lines = p.StandardOutput.ReadToEnd().Split('\n');
            p.WaitForExit();
            var recent = lines.Where(l => l.StartsWith('[') && l.IndexOf(']') is int close and > 1
                                          && double.TryParse(l[1..close].Trim(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double ts)
                                          && ts >= since).ToList();
            if (recent.Count == 0) return null;
            // Kernel log text is untrusted (task names, paths): through the one sanitizer and output path, as watch's.
            return CommandOutput.EmitLines(path, recent, stderr) ? path : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            stderr.WriteLine(Events.Model.UntrustedText.ForTerminal($"tracefx: the kernel log was not saved: {e.Message}"));
            return null;
        }
    }

    /// <summary>The storage topology now (<see cref="StorageTopology"/>), written atomically to <paramref name="path"/>;
    /// its file name and what was read, or nulls (with a message) when it could not be written.</summary>
    private static (string?, StorageTopology?) SaveTopology(string path, TextWriter stderr)
    {
        StorageTopology topology;
        try { topology = StorageTopology.Read(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine(Events.Model.UntrustedText.ForTerminal($"tracefx: the storage topology was not saved: {e.Message}"));
            return (null, null);
        }
        foreach (var note in topology.Notes) stderr.WriteLine($"tracefx: topology: {Events.Model.UntrustedText.ForTerminal(note)}");
        return WriteTopology(path, topology, stderr) is { } written ? (written, topology) : (null, null);
    }

    /// <summary>A topology written atomically to <paramref name="path"/>; the file name, or null (with a message).</summary>
    private static string? WriteTopology(string path, StorageTopology topology, TextWriter stderr)
    {
        try
        {
            var text = System.Text.Encoding.UTF8.GetBytes(topology.Format());
            // Mount points and device names are untrusted text: through the one sanitizer and output path.
            return CommandOutput.Emit(path, TextWriter.Null, stderr, s => s.Write(text)) ? path : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine(Events.Model.UntrustedText.ForTerminal($"tracefx: the storage topology was not saved: {e.Message}"));
            return null;
        }
    }

    private sealed class Disposables(IEnumerable<IDisposable> items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var d in items) d.Dispose();
        }
    }

    private static double Uptime() =>
        double.TryParse(File.ReadAllText("/proc/uptime").Split(' ')[0], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double u) ? u : 0;
}
