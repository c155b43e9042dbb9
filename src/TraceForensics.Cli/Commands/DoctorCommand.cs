using System.CommandLine;
using TraceForensics.Capture;
using TraceForensics.Cli.Capture;
using TraceForensics.Events.Dictionary;
using TraceForensics.Events.Model;

namespace TraceForensics.Cli.Commands;

/// <summary><c>tracefx doctor</c>: what this kernel lets TraceForensics see, and what follows from what it cannot.</summary>
internal static class DoctorCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var events = new Option<string?>("--events")
        {
            Description = "Also measure what recording these families costs now (as `record --events`; no list: the default), as root",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var sample = new Option<double>("--sample") { Description = "Seconds the --events measure records (default 2)", DefaultValueFactory = _ => 2 };
        sample.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is var d && !(double.IsFinite(d) && d >= 0.2 && d <= 60)) r.AddError("--sample wants seconds between 0.2 and 60");
        });
        var command = new Command("doctor", """
            Check what this machine's kernel lets tracefx record: tracefs, the events of each family, stack
            triggers, kprobes and BTF arguments, memory cgroups, hung-task reports, root; and what follows.
            With --events: what recording a selection of families costs on this machine now, measured over a
            short sample (events and bytes per second per family, the ring buffer it implies).

            Examples:
              sudo tracefx doctor
              sudo tracefx doctor --events
              sudo tracefx doctor --events default,-work-queued --sample 5
            """);
        command.Add(events);
        command.Add(sample);
        command.SetAction(parse =>
        {
            IReadOnlySet<EventKind>? families = null;
            if (parse.GetResult(events) is not null)
            {
                families = EventSelection.Parse(parse.GetValue(events), out var error);
                if (families is null)
                {
                    stderr.WriteLine($"tracefx: {error}");
                    return Program.ExitUsageOrNoInput;
                }
            }
            Write(stdout);
            if (families is not null) WriteCost(stdout, families, parse.GetValue(sample));
            return Program.ExitOk;
        });
        return command;
    }

    /// <summary>The measured cost of recording <paramref name="families"/> (<see cref="SelectionCost"/>), when this
    /// process may arm tracefs; else why not.</summary>
    private static void WriteCost(TextWriter w, IReadOnlySet<EventKind> families, double seconds)
    {
        w.WriteLine();
        var fs = Tracefs.Find(out var why);
        if (!Environment.IsPrivilegedProcess) w.WriteLine($"cost of --events {EventSelection.Describe(families)}: not measured (arming tracefs needs root: sudo tracefx doctor --events)");
        else if (fs is null) w.WriteLine($"cost of --events {EventSelection.Describe(families)}: not measured ({why})");
        else SelectionCost.Measure(fs, families, seconds, w);
    }

    public static void Write(TextWriter w)
    {
        var consequences = new List<string>();
        bool root = Environment.IsPrivilegedProcess;
        w.WriteLine($"root:                 {(root ? "yes" : "no")}");
        if (!root) consequences.Add("not root: tracefs cannot be armed; run `sudo tracefx record`");
        var fs = Tracefs.Find(out var why);
        w.WriteLine($"tracefs:              {(fs is null ? $"no ({why})" : $"{fs.Root}{(fs.HasInstances ? ", instances" : ", no instances")}")}");
        if (fs is null)
        {
            consequences.Add("no tracefs: nothing can be recorded; traces and kernel logs from elsewhere can still be analysed");
        }
        else
        {
            w.WriteLine("events by family:");
            foreach (var (kind, names) in EventDictionary.KnownTracepoints.Where(t => t.Kind is not (EventKind.Function or EventKind.ProcessHang
                         or EventKind.LockOwner or EventKind.LockHeld or EventKind.LockdepReport or EventKind.HungTaskDetail)))
            {
                var present = names.Where(n => fs.EventPath(n) is not null).ToList();
                w.WriteLine($"  {kind.Name(),-26} {(present.Count == 0 ? "none" : string.Join(" ", present))}");
            }
            bool hang = fs.EventPath("sched_process_hang") is not null;
            w.WriteLine($"  {"process-hang",-26} {(hang ? "sched_process_hang" : "none")}");
            bool stacks = fs.HasStackTriggers;
            w.WriteLine($"stack triggers:       {(stacks ? "yes" : "no")}");
            if (!stacks) consequences.Add("no stack triggers: what a blocked task waits for is known only from wait events (folio_wait_writeback), not from its stack");
            w.WriteLine($"kprobes:              {(fs.HasKprobes ? "yes" : "no")}");
            w.WriteLine($"BTF arguments:        {(Tracefs.HasBtf ? "yes (/sys/kernel/btf/vmlinux)" : "no")}");
            if (!fs.HasKprobes)
                consequences.Add("no kprobes: page-lock holders will be inferred from stacks (fault context), and page locks taken without contention are invisible");
            else if (!Tracefs.HasBtf)
                consequences.Add("kprobes without BTF: page-lock probes carry the folio pointer only; pages are matched through mm_filemap_add_to_page_cache");
            if (fs.EventPath("sched_process_hang") is null)
                consequences.Add("no sched_process_hang: hung-task reports come only from the kernel log (save dmesg beside the trace)");
            if (fs.EventPath("iomap_add_to_ioend") is null)
                consequences.Add("no iomap_add_to_ioend: bios being built are known only through writeback-start probes or ext4 events");
        }
        bool v1 = Directory.Exists("/sys/fs/cgroup/memory");
        bool v2 = File.Exists("/sys/fs/cgroup/cgroup.controllers") && File.ReadAllText("/sys/fs/cgroup/cgroup.controllers").Contains("memory");
        w.WriteLine($"memory cgroups:       {(v1 ? "v1 (memory controller)" : v2 ? "v2" : "none")}");
        if (v1) consequences.Add("cgroup v1 memory: memcg reclaim can wait on writeback (the LKML deadlock's precondition) on this machine");
        var timeout = "/proc/sys/kernel/hung_task_timeout_secs";
        var secs = File.Exists(timeout) ? File.ReadAllText(timeout).Trim() : null;
        w.WriteLine($"hung_task_timeout:    {(secs is null ? "no khungtaskd" : secs == "0" ? "0 (reports off)" : $"{secs} s")}");
        if (secs is null or "0") consequences.Add("khungtaskd does not report: blocked tasks are found only by the stall threshold");
        w.WriteLine();
        w.WriteLine(consequences.Count == 0 ? "everything tracefx uses is available." : "consequences:");
        foreach (var c in consequences) w.WriteLine($"  - {c}");
    }
}
