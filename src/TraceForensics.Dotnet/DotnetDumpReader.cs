using Microsoft.Diagnostics.Runtime;
using TraceForensics.Events.Managed;

namespace TraceForensics.Dotnet;

/// <summary>Reads a .NET process through ClrMD: a Linux core from createdump, or a live process (attached suspended,
/// always detached). The DAC is the libmscordaccore.so beside the runtime module, with version mismatches ignored:
/// on Linux the version a dump reports is not reliable. Monitor owners come from sync blocks (the holding thread's
/// address mapped through the runtime's threads) and thin locks; what a blocked thread waits for is the lock object
/// among its stack roots, held by another thread, while Monitor.Enter is on its stack.</summary>
public static class DotnetDumpReader
{
    public static ManagedProcess? ReadDump(string path, out string? why) => Read(() => DataTarget.LoadDump(path), path, out why);

    public static ManagedProcess? ReadLive(int pid, out string? why) =>
        Read(() => DataTarget.AttachToProcess(pid, suspend: true), $"pid {pid}", out why);

    private static ManagedProcess? Read(Func<DataTarget> open, string source, out string? why)
    {
        why = null;
        try
        {
            using var target = open();
            if (target.ClrVersions.Length == 0) { why = "no .NET runtime in it"; return null; }
            var clr = target.ClrVersions[0];
            var dac = Path.Combine(Path.GetDirectoryName(clr.ModuleInfo.FileName) ?? ".", OperatingSystem.IsWindows() ? "mscordaccore.dll" : "libmscordaccore.so");
            using var runtime = File.Exists(dac) ? clr.CreateRuntime(dac, ignoreMismatch: true) : clr.CreateRuntime();
            return Snapshot(runtime, source);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or InvalidOperationException or ClrDiagnosticsException
                                      or NotSupportedException or UnauthorizedAccessException or ArgumentException)
        {
            why = e.Message;
            return null;
        }
    }

    private const string NoOwners =
        "a thread waits in Monitor.Enter or Lock.Enter but the lock object or its owner is not in the dump (a dump without heap, " +
        "createdump -n?): stacks only; lock owners need a dump with heap (createdump -h)";

    private static ManagedProcess Snapshot(ClrRuntime runtime, string source)
    {
        var diagnostics = new List<string>();
        var byAddress = runtime.Threads.ToDictionary(t => t.Address, t => t.OSThreadId);
        bool heap = runtime.Heap.CanWalkHeap;
        if (!heap) diagnostics.Add(NoOwners);
        var threads = new List<ManagedThread>();
        foreach (var t in runtime.Threads.Where(t => t.IsAlive).OrderBy(t => t.ManagedThreadId))
        {
            var stack = t.EnumerateStackTrace().Take(64)
                .Select(f => f.Method?.Signature ?? f.FrameName).Where(n => !string.IsNullOrEmpty(n)).Select(n => n!).ToList();
            bool inMonitorEnter = stack.Any(f => f.StartsWith("System.Threading.Monitor.", StringComparison.Ordinal)
                                                 && f.Contains("Enter", StringComparison.Ordinal));
            bool inLockEnter = stack.Any(f => f.StartsWith("System.Threading.Lock.", StringComparison.Ordinal)
                                              && f.Contains("Enter", StringComparison.Ordinal));
            var holds = new List<ManagedLock>();
            ManagedLock? waits = null;
            if (heap)
            {
                foreach (var root in t.EnumerateStackRoots())
                {
                    var o = root.Object;
                    if (!o.IsValid || o.Type is null) continue;
                    bool isLock = o.Type.Name == "System.Threading.Lock";
                    var l = isLock ? ThreadingLock(o) : Lock(o, byAddress);
                    if (l?.OwnerOsThreadId is not uint owner) continue;
                    if (owner == t.OSThreadId) { if (!holds.Any(h => h.Address == l.Address)) holds.Add(l); }
                    else if (waits is null && (isLock ? inLockEnter : inMonitorEnter)) waits = l;
                }
            }
            if (waits is null && (inMonitorEnter || inLockEnter) && !diagnostics.Contains(NoOwners))
                diagnostics.Add(NoOwners); // the objects on its stack, or their sync blocks, are not in the dump
            string? other = waits is null && !(inMonitorEnter || inLockEnter) ? OtherWait(stack) : null;
            threads.Add(new ManagedThread(t.ManagedThreadId, t.OSThreadId, stack, holds, waits, other));
        }
        return new ManagedProcess(source, threads, diagnostics);
    }

    private static ManagedLock? Lock(ClrObject o, Dictionary<ulong, uint> threadsByAddress)
    {
        if (o.SyncBlock is { IsMonitorHeld: true } sb)
            return new ManagedLock(o.Address, o.Type!.Name ?? "?", threadsByAddress.TryGetValue(sb.HoldingThreadAddress, out var os) ? os : null,
                (int)sb.RecursionCount, (int)sb.WaitingThreadCount);
        if (o.GetThinLock() is { Thread: { } owner } thin)
            return new ManagedLock(o.Address, o.Type!.Name ?? "?", owner.OSThreadId, (int)thin.Recursion, 0);
        return null;
    }

    /// <summary>A System.Threading.Lock: its owner is the OS thread id in <c>_owningThreadId</c> (0: free).</summary>
    private static ManagedLock? ThreadingLock(ClrObject o)
    {
        var owner = o.Type!.GetFieldByName("_owningThreadId");
        if (owner is null) return null;
        uint os = owner.Read<uint>(o.Address, interior: false);
        if (os == 0) return null;
        var recursion = o.Type.GetFieldByName("_recursionCount")?.Read<uint>(o.Address, interior: false) ?? 0;
        return new ManagedLock(o.Address, "System.Threading.Lock", os, (int)recursion, 0);
    }

    /// <summary>Waits whose owner a dump cannot name: wait handles, Task.Wait/.Result, SemaphoreSlim.</summary>
    private static string? OtherWait(IReadOnlyList<string> stack)
    {
        foreach (var f in stack.Take(16))
        {
            if (f.Contains("WaitHandle.Wait", StringComparison.Ordinal) || f.Contains("ManualResetEvent", StringComparison.Ordinal)) return "a wait handle";
            if (f.Contains("Task.Wait", StringComparison.Ordinal) || f.Contains("Task`1.get_Result", StringComparison.Ordinal) || f.Contains("TaskAwaiter", StringComparison.Ordinal)) return "a task";
            if (f.Contains("SemaphoreSlim.Wait", StringComparison.Ordinal)) return "a SemaphoreSlim";
        }
        return null;
    }
}
