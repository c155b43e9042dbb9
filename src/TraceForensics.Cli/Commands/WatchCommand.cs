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

/// <summary><c>tracefx watch [-o DIR] [--fallback-dir DIR] [--stall S] [--fail-on stall|deadlock] [--window S] [--once] [--exec CMD]</c>: arms
/// tracefs in its own instance as <c>record</c> does, replays the ring buffers' pages as they arrive with the replay and
/// detectors of <c>analyze</c> (<see cref="LiveReplay"/>), keeps the last window of pages and kernel log, and when a
/// finding reaches --fail-on writes an incident directory (<see cref="IncidentWriter"/>), prints one line for it, runs
/// --exec with it; a stall that clears is recorded as cleared with its duration. An incident whose chain holds the
/// filesystem of -o goes to --fallback-dir instead (<see cref="IncidentWriter.WritePlaced"/>); SIGHUP makes -o again.
/// Undoes everything it armed on every exit path.</summary>
internal static class WatchCommand
{
    /// <summary>How often the pages read are decoded and the findings looked at.</summary>
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(500);
    /// <summary>Events can be committed a little after the clock was read (an interrupted writer): the watermark stays
    /// this far behind what a drained CPU's clock said.</summary>
    private const long InFlightNs = 2_000_000;
    public const string LockFile = IncidentDirectory.LockFile;

    /// <summary>The command; <paramref name="run"/>, when given, runs the watch with the settings parsed instead
    /// (<c>tracefx tui --live</c> takes the watch's options and runs it under the UI).</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr, Func<Settings, int>? run = null)
    {
        var output = new Option<string>("--output", "-o") { Description = "Directory for the incidents (one directory each)", DefaultValueFactory = _ => "." };
        var fallback = new Option<string>("--fallback-dir")
        {
            Description = "Directory for an incident whose chain holds the filesystem of -o, or when -o does not answer (made 0700)",
            DefaultValueFactory = _ => IncidentDirectory.DefaultFallback,
        };
        var stall = new Option<double>("--stall") { Description = "Seconds a task must be blocked to be a stall", DefaultValueFactory = _ => 5 };
        var failOn = new Option<string>("--fail-on") { Description = "The finding that makes an incident: stall (a stall or a deadlock) or deadlock", DefaultValueFactory = _ => "stall" };
        failOn.AcceptOnlyFromAmong("stall", "deadlock");
        var window = new Option<double>("--window") { Description = "Seconds of events and kernel log kept in memory and written with an incident", DefaultValueFactory = _ => 30 };
        var once = new Option<bool>("--once") { Description = "Stop after the first incident" };
        var exec = new Option<string?>("--exec") { Description = "Command run (by /bin/sh) for each incident, the incident directory as $1 and TRACEFX_INCIDENT" };
        var events = new Option<string?>("--events") { Description = "Families to record, as for record" };
        var buffer = new Option<int?>("--buffer-kb") { Description = "Ring buffer per cpu, KiB (default: a share of the free memory)" };
        var maxMemory = new Option<int>("--max-memory") { Description = "MiB of pages and replay state held at most, whatever the event rate (past it the window is shorter, or unreplayed pages are dropped as lost events)", DefaultValueFactory = _ => (int)WatchMemory.DefaultCapMiB };
        maxMemory.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 64 or > 1 << 20) r.AddError("--max-memory wants MiB from 64 to 1048576");
        });
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
        foreach (var o in new Option[] { output, fallback, stall, failOn, window, once, exec, events, buffer, maxMemory }) command.Add(o);
        command.SetAction(parse =>
        {
            var families = EventSelection.Parse(parse.GetValue(events), out var error);
            if (families is null)
            {
                stderr.WriteLine($"tracefx: {error}");
                return Program.ExitUsageOrNoInput;
            }
            var settings = new Settings(parse.GetValue(output)!, (long)(parse.GetValue(stall) * 1e9), parse.GetValue(failOn) == "deadlock",
                (long)(parse.GetValue(window) * 1e9), parse.GetValue(once), parse.GetValue(exec), parse.GetValue(buffer), families)
            {
                FallbackDirectory = parse.GetValue(fallback)!,
                MaxMemoryBytes = (long)parse.GetValue(maxMemory) << 20,
            };
            return run is null ? Run(settings, stdout, stderr) : run(settings);
        });
        return command;
    }

    public sealed record Settings(string Directory, long StallNs, bool DeadlockOnly, long WindowNs, bool Once, string? Exec, int? BufferKb,
                                  IReadOnlySet<EventKind> Families)
    {
        /// <summary>--fallback-dir.</summary>
        public string FallbackDirectory { get; init; } = IncidentDirectory.DefaultFallback;
        /// <summary>--max-memory, bytes (<see cref="WatchMemory"/>).</summary>
        public long MaxMemoryBytes { get; init; } = WatchMemory.DefaultCapMiB << 20;
    }

    /// <summary>Watches until a signal, --once's incident or <paramref name="cancel"/> (a caller in this process: the
    /// tests, the live UI) stops it. <paramref name="tick"/> is told the replay at the start of each tick, once armed
    /// (the live UI follows its events).</summary>
    public static int Run(Settings settings, TextWriter stdout, TextWriter stderr, CancellationToken cancel = default, Action<LiveReplay>? tick = null)
    {
        if (RecordCommand.TracefsAsRoot("watch", stderr) is not { } fs) return Program.ExitUsageOrNoInput;
        using var output = IncidentDirectory.Take(settings.Directory, stderr);
        if (output is null) return Program.ExitUsageOrNoInput;
        using var fallback = IncidentDirectory.Fallback(settings.FallbackDirectory, stderr);
        if (fallback is null) stderr.WriteLine("tracefx: without a fallback directory, an incident whose chain holds the filesystem of -o is not written");
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
                                 $"; incidents in {UntrustedText.ForTerminal(output.Path)}" +
                                 (fallback is null ? "" : $" (or {UntrustedText.ForTerminal(fallback.Path)})"));
                foreach (var note in recording.Notes) stderr.WriteLine($"tracefx: {note}");
                notesShown = recording.Notes.Count;
                return Watch(settings, fs, recording, kmsg, output, fallback, stop, () => Interlocked.Exchange(ref hangups, 0) > 0,
                    stdout, stderr, tick);
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
        }
    }

    private static int Watch(Settings settings, Tracefs fs, TracefsRecording recording, KernelLogTail kmsg, IncidentDirectory output,
                             IncidentDirectory? fallback, ManualResetEventSlim stop, Func<bool> hungUp, TextWriter stdout, TextWriter stderr,
                             Action<LiveReplay>? tick)
    {
        var options = new AnalysisOptions { StallThresholdNs = settings.StallNs };
        int pageSize = Environment.SystemPageSize;
        // The formats of what is armed, read once: the batches of pages are decoded against them.
        var metadata = TraceDatFile.Read(TraceDatOutput.Prepare(fs, recording, pageSize, [], zstd: false).Metadata());
        var live = new LiveReplay(metadata, options);
        var saidLimits = new HashSet<string>(StringComparer.Ordinal);
        var memory = new WatchMemory(settings.MaxMemoryBytes, settings.WindowNs);
        var window = memory.NewWindow(metadata.CommitSize);
        var raw = recording.StartLive(window.Add);
        var cpus = raw.Cpus;
        var previousNow = new long?[cpus.Count];
        var previousDrains = new long[cpus.Count];
        var open = new OpenIncidents();
        int incidents = 0;
        long replayed = 0, lost = 0;
        bool behind = false;
        var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.StartNew();
        tick?.Invoke(live);
        // Behind (pages wait to be replayed), it goes on without waiting.
        while (!stop.Wait(behind ? TimeSpan.Zero : Tick))
        {
            tick?.Invoke(live);
            if (hungUp()) Reopen(output, fallback, stderr);
            // The clocks first, then the readers' drain counts: a reader that found its buffer empty after this had
            // handed over every event its CPU wrote before it.
            var now = cpus.Select(c => recording.NowNs(c)).ToArray();
            var drains = Enumerable.Range(0, cpus.Count).Select(raw.Drains).ToArray();
            // The comms of tasks that started since (dd after the watch began): the kernel's saved cmdlines, as trace-cmd
            // and the incident's trace.dat have them; a task not in them is "<...>" as in trace-cmd report.
            RefreshComms(fs, metadata);
            live.Decode(window.TakeNew(WatchMemory.BatchBytes));
            long watermark = long.MaxValue;
            for (int i = 0; i < cpus.Count; i++)
            {
                long known = live.LastOf(cpus[i]) ?? long.MinValue;
                // A drained CPU whose pages are all replayed has nothing earlier to come; one with pages still waiting has.
                if (drains[i] > previousDrains[i] && previousNow[i] is long drainedAt && !window.HasPending(cpus[i]))
                    known = Math.Max(known, drainedAt - InFlightNs);
                watermark = Math.Min(watermark, known);
            }
            live.Release(watermark);
            live.SayLimitsReached(saidLimits, stderr);
            behind = window.PendingBytes > 0;
            Array.Copy(now, previousNow, now.Length);
            Array.Copy(drains, previousDrains, drains.Length);
            if (now.Max() is long newest)
            {
                window.Trim((ulong)Math.Max(0, newest - settings.WindowNs));
                kmsg.Trim(newest - settings.WindowNs);
            }
            memory.SayWhenCapsBit(window, started.Elapsed.Ticks * 100, stderr);
            // The replay's state grows with what it has seen: it starts again from the window's pages (WatchMemory).
            if (memory.Renew(live, started.Elapsed.Ticks * 100, behind, GC.GetGCMemoryInfo().HeapSizeBytes,
                    () => GC.GetTotalMemory(forceFullCollection: true), window.Bytes + window.PendingBytes, stderr))
            {
                replayed += live.Events;
                lost += live.LostEvents;
                // The window's events up to here were counted once already.
                live = new LiveReplay(metadata, options) { CountFromNs = live.NowNs };
                // The replay before is garbage now, most of the heap: given back to the system at once, not at the GC's pace.
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                window.RequeueAll();
                behind = true;
                continue;
            }
            Cleared(live, open, stdout, stderr);
            foreach (var finding in Due(live, settings))
            {
                var at = started.Elapsed;
                var verdict = open.Classify(finding, at, out var grown, out var joined);
                if (verdict == OpenIncidents.Verdict.Known) continue;
                // The watch's own threads: a write to a hung -o that BoundedIo gave up on (said already) is no incident.
                if (finding.Tasks.All(t => Directory.Exists($"/proc/self/task/{t.Pid.ToString(CultureInfo.InvariantCulture)}"))) continue;
                var content = new IncidentContent(settings, fs, recording, pageSize, window, kmsg, live);
                if (verdict == OpenIncidents.Verdict.Grown)
                {
                    bool written = WriteAgain(settings, content, grown!, finding, joined, stdout, stderr, out bool gone);
                    // Its directory gone (log rotation): no longer open, so neither written again nor marked cleared.
                    if (gone) open.Close(grown!);
                    else OpenIncidents.Rewritten(grown!, finding, at, written);
                    continue;
                }
                // Written or not, a hang is tried once: a directory that could not take it is not tried again each tick.
                var incident = WriteIncident(settings, content, output, fallback, finding, stdout, stderr);
                open.Added(incident, finding, at,
                    incident is null ? null : fallback is not null && Path.GetDirectoryName(incident) == fallback.Path ? fallback.Device : output.Device);
                if (incident is null) continue;
                incidents++;
                if (settings.Once) stop.Set();
                break;
            }
        }
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuStart;
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"tracefx: watched {live.Events + replayed} events in {started.Elapsed.TotalSeconds:F1} s ({cpu.TotalSeconds:F2} s of CPU), lost {live.LostEvents + lost}, {window.Dropped} pages dropped unreplayed; {incidents} incident{(incidents == 1 ? "" : "s")}; the replay started again {memory.Renewals} times ({memory.ForcedRenewals} losing blocked tasks)"));
        return Program.ExitOk;
    }

    private static void RefreshComms(Tracefs fs, TraceDatFile metadata)
    {
        // Bounded over a long watch (pids are reused): started afresh past 64 Ki, from the kernel's current list.
        if (metadata.Comms.Count > 65_536) metadata.Comms.Clear();
        try
        {
            metadata.AddCmdlines(File.ReadAllText(Path.Combine(fs.Root, "saved_cmdlines"), System.Text.Encoding.Latin1));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // kept as they were: the names are a convenience, the pids are the facts
        }
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
    /// lasted, in the incident's <c>cleared.txt</c> and one line (<see cref="WatchMemory.HasCleared"/>: not when the task
    /// has not been seen since).</summary>
    private static void Cleared(LiveReplay live, OpenIncidents open, TextWriter stdout, TextWriter stderr)
    {
        var state = live.Analyzer.State;
        foreach (var incident in open.Open.ToList())
        {
            var (dir, pid, since) = (incident.Dir, incident.FirstPid, incident.SinceNs);
            if (!WatchMemory.HasCleared(state.Tasks.Get(pid), since)) continue;
            open.Close(incident);
            long until = state.Tasks.Get(pid)!.StateSinceNs;
            var line = string.Create(CultureInfo.InvariantCulture,
                $"cleared at {TraceTime.Format(until)}: task {pid} blocked from {TraceTime.Format(since)} for {(until - since) / 1e9:F3} s");
            var messages = new StringWriter();
            if (BoundedIo.Run(_ => { IncidentWriter.WriteLines(Path.Combine(dir, IncidentWriter.ClearedFile), [line], messages); return true; },
                    IncidentDirectory.ProbeTimeout, out _))
                stderr.Write(messages.ToString());
            else
                stderr.WriteLine(UntrustedText.ForTerminal($"tracefx: {dir}/{IncidentWriter.ClearedFile} not written within {IncidentDirectory.ProbeTimeout.TotalSeconds} s"));
            stdout.WriteLine(UntrustedText.ForTerminal($"tracefx: {dir}: {line}"));
            stdout.Flush();
        }
    }

    /// <summary>Log rotation (SIGHUP): -o may have been moved away; it is made again and its lock taken anew.</summary>
    internal static void Reopen(IncidentDirectory output, IncidentDirectory? fallback, TextWriter stderr)
    {
        stderr.WriteLine(output.Reopen(stderr)
            ? UntrustedText.ForTerminal($"tracefx: SIGHUP: incidents go to {output.Path} again")
            : UntrustedText.ForTerminal($"tracefx: SIGHUP: {output.Path} is not usable; incidents go to {fallback?.Path ?? "no directory"} until the next SIGHUP"));
    }

    /// <summary>What an incident holds, taken from the watcher's state when it is made: the window's pages, the kernel
    /// log, the blocked tasks; the storage topology (with where each FUSE daemon's threads sleep now: a daemon asleep in S
    /// has no stack in the trace, the stack trigger fires on D) is read once, on the worker that writes.</summary>
    private sealed class IncidentContent
    {
        private readonly List<(int Cpu, List<byte[]> Pages)> _pages;
        private readonly List<string> _kernelLog, _blocked;
        private readonly AnalysisOptions _options;
        private readonly Tracefs _fs;
        private readonly TracefsRecording _recording;
        private readonly int _pageSize;
        private StorageTopology? _topology;

        public IncidentContent(Settings settings, Tracefs fs, TracefsRecording recording, int pageSize, PageWindow window, KernelLogTail kmsg, LiveReplay live)
        {
            (_fs, _recording, _pageSize) = (fs, recording, pageSize);
            _pages = window.Snapshot();
            _kernelLog = kmsg.Lines();
            _blocked = BlockedTasksDump.Lines(live.Analyzer.State, live.Tables.Stacks, live.NowNs);
            _options = new AnalysisOptions { StallThresholdNs = settings.StallNs };
            NowNs = live.NowNs;
        }

        /// <summary>The trace time it was taken at.</summary>
        public long NowNs { get; }

        public StorageTopology Topology()
        {
            if (_topology is null)
            {
                var t = StorageTopology.Read();
                t.ReadStacksOfFuseDevHolders();
                _topology = t;
            }
            return _topology;
        }

        public void Write(string into, TextWriter messages, CancellationToken cancel) =>
            IncidentWriter.Write(into, _fs, _recording, _pageSize, _pages, _kernelLog, _blocked, _options, messages, Topology().Format(), cancel);
    }

    private static string? WriteIncident(Settings settings, IncidentContent content, IncidentDirectory output, IncidentDirectory? fallback, Finding finding,
                                         TextWriter stdout, TextWriter stderr)
    {
        var writing = Stopwatch.StartNew();
        var dir = IncidentWriter.WritePlaced(output, fallback, finding, content.Topology, content.Write, stdout, stderr);
        if (dir is null) return null;
        stdout.WriteLine(UntrustedText.ForTerminal($"tracefx: incident {dir}: {finding.Kind.Name()} at {TraceTime.Format(finding.AtNs)}: {finding.Summary}"));
        stdout.Flush();
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"tracefx: the incident was found at trace time {TraceTime.Format(content.NowNs)} and written in {writing.Elapsed.TotalSeconds:F2} s"));
        if (settings.Exec is { } command) RunExec(command, dir, stderr);
        return dir;
    }

    /// <summary>An open incident whose chain grew (<see cref="OpenIncidents"/>): written again, within
    /// <see cref="IncidentWriter.WriteTimeout"/>, into a hidden sibling directory put in its place at once
    /// (<see cref="DirectorySwap"/>: a reader sees all the old files or all the new); one line names the tasks that
    /// joined. Not written again, and said so, when the window no longer holds the hang's start (the new trace would
    /// lose the first task's switch into D and its stack, and so the chain the incident was written for), or when its
    /// directory's filesystem is now in the chain (the write would hang); not followed any more when its directory is
    /// gone (<paramref name="gone"/>: moved away by log rotation). --exec is not run again. True when the tasks that
    /// joined were written or told of.</summary>
    private static bool WriteAgain(Settings settings, IncidentContent content, OpenIncidents.Incident incident, Finding finding,
                                   IReadOnlyList<FindingTask> joined, TextWriter stdout, TextWriter stderr, out bool gone)
    {
        gone = false;
        var names = string.Join(", ", joined.Select(t => $"{t.Comm}:{t.Pid.ToString(CultureInfo.InvariantCulture)}"));
        string? whyNot = content.NowNs - incident.SinceNs > settings.WindowNs - WindowMarginNs
            ? $"the --window of {settings.WindowNs / 1e9:F0} s no longer holds its start at {TraceTime.Format(incident.SinceNs)}"
            : OutputInChain.ThroughBounded(incident.Device, finding, content.Topology) is { } through
                ? $"its directory's filesystem ({incident.Device}) is in the chain now (through {through})"
                : null;
        if (whyNot is not null)
        {
            stdout.WriteLine(UntrustedText.ForTerminal($"tracefx: incident {incident.Dir} grew ({names} joined), not written again: {whyNot}: {finding.Summary}"));
            stdout.Flush();
            return true;
        }
        var messages = new StringWriter();
        IncidentRewrite.Outcome outcome;
        try
        {
            outcome = IncidentRewrite.Run(incident.Dir, (replacement, cancel) => content.Write(replacement, messages, cancel), IncidentWriter.WriteTimeout);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.Write(messages.ToString());
            stderr.WriteLine(UntrustedText.ForTerminal($"tracefx: {incident.Dir} was not written again: {e.Message}"));
            return false;
        }
        stderr.Write(messages.ToString());
        if (outcome == IncidentRewrite.Outcome.Gone)
        {
            stdout.WriteLine(UntrustedText.ForTerminal(
                $"tracefx: incident {incident.Dir} grew ({names} joined), not written again: its directory is gone (moved away by log rotation, or removed); no longer followed: {finding.Summary}"));
            stdout.Flush();
            gone = true;
            return false;
        }
        if (outcome == IncidentRewrite.Outcome.TimedOut)
        {
            stderr.WriteLine(UntrustedText.ForTerminal(
                $"tracefx: {incident.Dir} was not written again within {IncidentWriter.WriteTimeout.TotalSeconds} s (a frozen or hung filesystem?)"));
            return false;
        }
        stdout.WriteLine(UntrustedText.ForTerminal($"tracefx: incident {incident.Dir} grew ({names} joined), written again: {finding.Summary}"));
        stdout.Flush();
        return true;
    }

    /// <summary>How far inside the window the hang's start must be for a rewrite: the window is trimmed by the CPUs'
    /// clocks, a little ahead of the replay.</summary>
    private const long WindowMarginNs = 2_000_000_000;

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
}
