using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using TraceForensics.Analysis;
using TraceForensics.Analysis.Findings;
using TraceForensics.Capture;
using TraceForensics.Cli.Capture;
using TraceForensics.Cli.Watch;
using TraceForensics.Events.Model;
using TraceForensics.Ingest.TraceDat;

namespace TraceForensics.Cli.Commands;

/// <summary><c>tracefx watch [-o DIR] [--stall S] [--fail-on stall|deadlock] [--window S] [--once] [--exec CMD]</c>: arms
/// tracefs in its own instance as <c>record</c> does, replays the ring buffers' pages as they arrive with the replay and
/// detectors of <c>analyze</c> (<see cref="LiveReplay"/>), keeps the last window of pages and kernel log, and when a
/// finding reaches --fail-on writes an incident directory (<see cref="IncidentWriter"/>), prints one line for it, runs
/// --exec with it; a stall that clears is recorded as cleared with its duration. Undoes everything it armed on every
/// exit path.</summary>
internal static class WatchCommand
{
    /// <summary>How often the pages read are decoded and the findings looked at.</summary>
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(500);
    /// <summary>Events can be committed a little after the clock was read (an interrupted writer): the watermark stays
    /// this far behind what a drained CPU's clock said.</summary>
    private const long InFlightNs = 2_000_000;
    public const string LockFile = ".tracefx-watch.lock";

    /// <summary>The command; <paramref name="run"/>, when given, runs the watch with the settings parsed instead
    /// (<c>tracefx tui --live</c> takes the watch's options and runs it under the UI).</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr, Func<Settings, int>? run = null)
    {
        var output = new Option<string>("--output", "-o") { Description = "Directory for the incidents (one directory each)", DefaultValueFactory = _ => "." };
        var stall = new Option<double>("--stall") { Description = "Seconds a task must be blocked to be a stall", DefaultValueFactory = _ => 5 };
        var failOn = new Option<string>("--fail-on") { Description = "The finding that makes an incident: stall (a stall or a deadlock) or deadlock", DefaultValueFactory = _ => "stall" };
        failOn.AcceptOnlyFromAmong("stall", "deadlock");
        var window = new Option<double>("--window") { Description = "Seconds of events and kernel log kept in memory and written with an incident", DefaultValueFactory = _ => 30 };
        var once = new Option<bool>("--once") { Description = "Stop after the first incident" };
        var exec = new Option<string?>("--exec") { Description = "Command run (by /bin/sh) for each incident, the incident directory as $1 and TRACEFX_INCIDENT" };
        var events = new Option<string?>("--events") { Description = "Families to record, as for record" };
        var buffer = new Option<int?>("--buffer-kb") { Description = "Ring buffer per cpu, KiB (default: a share of the free memory)" };
        foreach (var o in new[] { stall, window })
            o.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<double>() is var d && !(double.IsFinite(d) && d > 0 && d <= 24 * 3600))
                    r.AddError($"{r.Option.Name} wants seconds greater than 0 (at most a day)");
            });
        var command = new Command("watch", """
            Watch this machine's kernel (as root) and keep the evidence when a task stalls or a deadlock forms.

            Examples:
              sudo tracefx watch -o /var/log/tracefx --stall 5
              sudo tracefx watch -o incidents --once --exec 'mail -s hang root < "$1/findings.lkml.txt"'
            """);
        foreach (var o in new Option[] { output, stall, failOn, window, once, exec, events, buffer }) command.Add(o);
        command.SetAction(parse =>
        {
            var families = EventSelection.Parse(parse.GetValue(events), out var error);
            if (families is null)
            {
                stderr.WriteLine($"tracefx: {error}");
                return Program.ExitUsageOrNoInput;
            }
            var settings = new Settings(parse.GetValue(output)!, (long)(parse.GetValue(stall) * 1e9), parse.GetValue(failOn) == "deadlock",
                (long)(parse.GetValue(window) * 1e9), parse.GetValue(once), parse.GetValue(exec), parse.GetValue(buffer), families);
            return run is null ? Run(settings, stdout, stderr) : run(settings);
        });
        return command;
    }

    public sealed record Settings(string Directory, long StallNs, bool DeadlockOnly, long WindowNs, bool Once, string? Exec, int? BufferKb,
                                  IReadOnlySet<EventKind> Families);

    /// <summary>Watches until a signal, --once's incident or <paramref name="cancel"/> (a caller in this process: the
    /// tests, the live UI) stops it. <paramref name="tick"/> is told the replay at the start of each tick, once armed
    /// (the live UI follows its events).</summary>
    public static int Run(Settings settings, TextWriter stdout, TextWriter stderr, CancellationToken cancel = default, Action<LiveReplay>? tick = null)
    {
        if (RecordCommand.TracefsAsRoot("watch", stderr) is not { } fs) return Program.ExitUsageOrNoInput;
        var dir = Path.GetFullPath(settings.Directory);
        var lockFile = TakeDirectory(dir, stderr);
        if (lockFile is null) return Program.ExitUsageOrNoInput;
        using var stop = new ManualResetEventSlim();
        using var cancelled = cancel.Register(stop.Set);
        int hangups = 0;
        var signals = new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT }
            .Select(sig => PosixSignalRegistration.Create(sig, ctx => { ctx.Cancel = true; stop.Set(); }))
            .Append(PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx => { ctx.Cancel = true; Interlocked.Increment(ref hangups); }))
            .ToList();
        try
        {
            using var kmsg = KernelLogTail.Start();
            if (kmsg.Error is { } kerr) stderr.WriteLine($"tracefx: the kernel log is not kept ({kerr})");
            int bufferKb = settings.BufferKb ?? BufferSizing.InitialKb(Environment.ProcessorCount);
            var recording = TracefsRecording.Arm(fs, RecordingPlan.Events(settings.Families), RecordingPlan.Triggers(settings.Families),
                RecordingPlan.Probes(Tracefs.HasBtf, settings.Families), bufferKb, out var why);
            if (recording is null)
            {
                stderr.WriteLine($"tracefx: {why}");
                return Program.ExitUsageOrNoInput;
            }
            int notesShown = 0;
            try
            {
                stderr.WriteLine($"tracefx: watching {recording.Enabled.Count} events in {recording.Instance}" +
                                 (recording.Missing.Count > 0 ? $" ({recording.Missing.Count} not on this kernel)" : "") +
                                 $"; incidents in {UntrustedText.ForTerminal(dir)}");
                foreach (var note in recording.Notes) stderr.WriteLine($"tracefx: {note}");
                notesShown = recording.Notes.Count;
                return Watch(settings, fs, recording, kmsg, dir, stop, () => Interlocked.Exchange(ref hangups, 0) > 0,
                    ref lockFile, stdout, stderr, tick);
            }
            finally
            {
                recording.Dispose();
                foreach (var note in recording.Notes.Skip(notesShown)) stderr.WriteLine($"tracefx: {note}");
            }
        }
        finally
        {
            foreach (var s in signals) s.Dispose();
            lockFile?.Dispose();
        }
    }

    private static int Watch(Settings settings, Tracefs fs, TracefsRecording recording, KernelLogTail kmsg, string dir, ManualResetEventSlim stop,
                             Func<bool> hungUp, ref FileStream? lockFile, TextWriter stdout, TextWriter stderr, Action<LiveReplay>? tick)
    {
        var options = new AnalysisOptions { StallThresholdNs = settings.StallNs };
        int pageSize = Environment.SystemPageSize;
        // The formats of what is armed, read once: the batches of pages are decoded against them.
        var metadata = TraceDatFile.Read(TraceDatOutput.Prepare(fs, recording, pageSize, [], zstd: false).Metadata());
        var live = new LiveReplay(metadata, options);
        var window = new PageWindow();
        var raw = recording.StartLive(window.Add);
        var cpus = raw.Cpus;
        var previousNow = new long?[cpus.Count];
        var previousDrains = new long[cpus.Count];
        var reported = new HashSet<(FindingKind, int, long)>();
        var open = new List<(string Dir, int Pid, long SinceNs)>();
        int incidents = 0;
        long replayed = 0, lost = 0, replayedSince = 0;
        var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.StartNew();
        tick?.Invoke(live);
        while (!stop.Wait(Tick))
        {
            tick?.Invoke(live);
            if (hungUp())
            {
                // Log rotation: the directory may have been moved away; it is made again and its lock taken anew.
                lockFile?.Dispose();
                lockFile = TakeDirectory(dir, stderr);
                stderr.WriteLine($"tracefx: SIGHUP: incidents go to {UntrustedText.ForTerminal(dir)} again");
            }
            // The clocks first, then the readers' drain counts: a reader that found its buffer empty after this had
            // handed over every event its CPU wrote before it.
            var now = cpus.Select(c => recording.NowNs(c)).ToArray();
            var drains = Enumerable.Range(0, cpus.Count).Select(raw.Drains).ToArray();
            live.Decode(window.TakeNew());
            long watermark = long.MaxValue;
            for (int i = 0; i < cpus.Count; i++)
            {
                long known = live.LastOf(cpus[i]) ?? long.MinValue;
                if (drains[i] > previousDrains[i] && previousNow[i] is long drainedAt) known = Math.Max(known, drainedAt - InFlightNs);
                watermark = Math.Min(watermark, known);
            }
            live.Release(watermark);
            Array.Copy(now, previousNow, now.Length);
            Array.Copy(drains, previousDrains, drains.Length);
            if (now.Max() is long newest)
            {
                window.Trim((ulong)Math.Max(0, newest - settings.WindowNs));
                kmsg.Trim(newest - settings.WindowNs);
            }
            // The replay's state grows with what it has seen (pages, evidence), not with the window: once a window has
            // passed, at a quiet moment (no incident open, no task blocked long), it starts again from the window's pages.
            // A task blocked now has its sleep in the window (it has been blocked less than the gate, the gate less than
            // the window), so nothing that could become an incident is lost; it costs one more replay of each window.
            if (started.Elapsed.Ticks - replayedSince >= settings.WindowNs / 100 && open.Count == 0 && !LongBlocked(live, settings))
            {
                replayed += live.Events;
                lost += live.LostEvents;
                live = new LiveReplay(metadata, options);
                live.Decode(window.TakeAll());
                live.Release(watermark);
                replayed -= live.Events; // the window's events, counted once already
                lost -= live.LostEvents;
                replayedSince = started.Elapsed.Ticks;
            }
            Cleared(live, open, stdout, stderr);
            foreach (var finding in Due(live, settings))
            {
                var first = finding.Tasks.OrderBy(t => t.BlockedSinceNs).First();
                if (!reported.Add((finding.Kind, first.Pid, first.BlockedSinceNs))) continue;
                var incident = WriteIncident(settings, fs, recording, pageSize, window, kmsg, live, dir, finding, stdout, stderr);
                if (incident is null) continue;
                incidents++;
                open.Add((incident, first.Pid, first.BlockedSinceNs));
                if (settings.Once) stop.Set();
                break;
            }
        }
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuStart;
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"tracefx: watched {live.Events + replayed} events in {started.Elapsed.TotalSeconds:F1} s ({cpu.TotalSeconds:F2} s of CPU), lost {live.LostEvents + lost}; {incidents} incident{(incidents == 1 ? "" : "s")}"));
        return Program.ExitOk;
    }

    /// <summary>The findings that make an incident now: deadlocks, and (unless --fail-on deadlock) stalls past --stall.
    /// The detectors are asked only while some task has been blocked a second or the stall time (whichever is less).</summary>
    private static IEnumerable<Finding> Due(LiveReplay live, Settings settings)
    {
        if (!LongBlocked(live, settings)) return [];
        return live.Analyzer.Findings().Where(f => f.Kind == FindingKind.Deadlock || (!settings.DeadlockOnly && f.Kind == FindingKind.Stall))
            .Where(f => f.Tasks.Count > 0);
    }

    /// <summary>Whether a task has been blocked a second or the stall time (whichever is less).</summary>
    private static bool LongBlocked(LiveReplay live, Settings settings)
    {
        var state = live.Analyzer.State;
        long gate = Math.Min(settings.StallNs, 1_000_000_000);
        return state.Tasks.Blocked.Any(t => state.NowNs - t.StateSinceNs >= gate);
    }

    /// <summary>Stalls whose first task is no longer in the wait the incident was written for: cleared, with how long it
    /// lasted, in the incident's <c>cleared.txt</c> and one line.</summary>
    private static void Cleared(LiveReplay live, List<(string Dir, int Pid, long SinceNs)> open, TextWriter stdout, TextWriter stderr)
    {
        var state = live.Analyzer.State;
        for (int i = open.Count - 1; i >= 0; i--)
        {
            var (dir, pid, since) = open[i];
            if (state.Tasks.Get(pid) is { IsBlocked: true } t && t.StateSinceNs == since) continue;
            open.RemoveAt(i);
            long until = state.Tasks.Get(pid) is { } now && now.StateSinceNs > since ? now.StateSinceNs : live.NowNs;
            var line = string.Create(CultureInfo.InvariantCulture,
                $"cleared at {TraceTime.Format(until)}: task {pid} blocked from {TraceTime.Format(since)} for {(until - since) / 1e9:F3} s");
            IncidentWriter.WriteLines(Path.Combine(dir, IncidentWriter.ClearedFile), [line], stderr);
            stdout.WriteLine(UntrustedText.ForTerminal($"tracefx: {dir}: {line}"));
            stdout.Flush();
        }
    }

    private static string? WriteIncident(Settings settings, Tracefs fs, TracefsRecording recording, int pageSize, PageWindow window, KernelLogTail kmsg,
                                         LiveReplay live, string root, Finding finding, TextWriter stdout, TextWriter stderr)
    {
        string? dir = null;
        var writing = Stopwatch.StartNew();
        try
        {
            dir = IncidentWriter.CreateDirectory(root, DateTime.UtcNow);
            var blocked = BlockedTasksDump.Lines(live.Analyzer.State, live.Tables.Stacks, live.NowNs);
            IncidentWriter.Write(dir, fs, recording, pageSize, window.Snapshot(), kmsg.Lines(), blocked,
                new AnalysisOptions { StallThresholdNs = settings.StallNs }, stderr);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine(UntrustedText.ForTerminal($"tracefx: the incident was not written{(dir is null ? "" : $" to {dir}")}: {e.Message}"));
            return null;
        }
        stdout.WriteLine(UntrustedText.ForTerminal($"tracefx: incident {dir}: {finding.Kind.Name()} at {TraceTime.Format(finding.AtNs)}: {finding.Summary}"));
        stdout.Flush();
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"tracefx: the incident was found at trace time {TraceTime.Format(live.NowNs)} and written in {writing.Elapsed.TotalSeconds:F2} s"));
        if (settings.Exec is { } command) RunExec(command, dir, stderr);
        return dir;
    }

    /// <summary>Runs --exec by /bin/sh with the incident directory as $1 and in TRACEFX_INCIDENT, without waiting for it
    /// (its exit is collected on a thread of its own).</summary>
    private static void RunExec(string command, string dir, TextWriter stderr)
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var a in new[] { "-c", command, "tracefx-watch", dir }) psi.ArgumentList.Add(a);
        psi.Environment["TRACEFX_INCIDENT"] = dir;
        try
        {
            var p = Process.Start(psi);
            if (p is not null) new Thread(() => { p.WaitForExit(); p.Dispose(); }) { IsBackground = true }.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            stderr.WriteLine(UntrustedText.ForTerminal($"tracefx: --exec could not run: {e.Message}"));
        }
    }

    /// <summary>Creates the incidents' directory and takes its lock (<see cref="LockFile"/>, held open with no sharing:
    /// .NET takes an exclusive flock(2) for it), so that two watchers never write into one directory; null, after a
    /// message, when it cannot be made or another watcher holds it.</summary>
    private static FileStream? TakeDirectory(string dir, TextWriter stderr)
    {
        try
        {
            Directory.CreateDirectory(dir);
            return new FileStream(Path.Combine(dir, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine(UntrustedText.ForTerminal($"tracefx: {dir}: {e.Message} (another tracefx watch may be writing there)"));
            return null;
        }
    }
}
