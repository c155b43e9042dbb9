using System.Globalization;
using TraceForensics.Events.Model;
using TraceForensics.Replay;
using TraceForensics.Replay.Evidence;
using TraceForensics.Replay.Fuse;
using TraceForensics.Replay.Pages;
using TraceForensics.Replay.Tasks;
using static TraceForensics.Analysis.Graph.WaitForGraphBuilder;
using Rules = TraceForensics.Replay.Evidence.InferenceRules;

namespace TraceForensics.Analysis.Graph;

/// <summary>Request/response servers: a queue of requests (a loop device's bios, a FUSE connection's requests; the same
/// shape fits device-mapper and nbd workers and io_uring workers) waits for the task that holds its oldest request. The
/// queue node is served by that task (<see cref="AddServedBy"/>, the one way such an edge is made), and the chain goes
/// on through the task's own wait, or ends there with the server as the root blocker (<see cref="ServerState"/> says
/// what the trace shows of it).</summary>
public static class RequestServers
{
    /// <summary>The edge from a queue of requests to the task serving it.</summary>
    public static void AddServedBy(WaitForGraph g, WaitNode queue, TaskNode server, RuleUse rule, List<EvidenceLine> lines) =>
        g.Add(new WaitEdge(queue, server, Relation.ServedBy, rule, lines));

    /// <summary>The function a reader of /dev/fuse sleeps in while no request is pending (fs/fuse/dev.c fuse_dev_read ->
    /// fuse_dev_do_read: wait_event_interruptible_exclusive on fiq->waitq).</summary>
    private const string DevReadFrame = "fuse_dev_do_read";

    /// <summary>A FUSE connection as the analysis uses it, looked up once: its node and its mount in the topology (text and
    /// line; null without one).</summary>
    private sealed record FuseConnection(FuseConnectionNode Node, EvidenceLine? MountLine);

    /// <summary>The FUSE connection a page's or request's device is, or null when it is none: a device the trace showed
    /// requests of, or a fuse mount's device in the topology (fs/fuse/inode.c fuse_fill_super_common: fc->dev = sb->s_dev,
    /// the connection number the fuse events print); a bdi named <c>MAJ:MIN-fuseblk</c> is the fuseblk connection of block
    /// device MAJ:MIN (fs/fuse/inode.c fuse_bdi_init: super_setup_bdi_name(sb, "%u:%u%s", MAJOR(fc->dev), MINOR(fc->dev),
    /// "-fuseblk") when sb->s_bdev, i.e. fuseblk_fs_type with FS_REQUIRES_DEV, the writeback events' bdi name).</summary>
    private static DeviceNumber? ConnectionOf(ReplayState s, DeviceNumber dev)
    {
        if (dev.Name is { } name)
        {
            if (!name.EndsWith("-fuseblk", StringComparison.Ordinal)) return null;
            var numbers = name[..^"-fuseblk".Length].Split(':');
            return numbers is [var major, var minor]
                   && int.TryParse(major, NumberStyles.None, CultureInfo.InvariantCulture, out int ma)
                   && int.TryParse(minor, NumberStyles.None, CultureInfo.InvariantCulture, out int mi)
                ? new DeviceNumber(ma, mi) : null;
        }
        return s.Fuse.IsConnection(dev) || FuseMount(s, dev) is not null ? dev : null;
    }

    /// <summary>Whether a device is a FUSE connection (<see cref="ConnectionOf"/>).</summary>
    public static bool IsFuse(ReplayState s, DeviceNumber dev) => ConnectionOf(s, dev) is not null;

    private static Replay.Devices.MountRecord? FuseMount(ReplayState s, DeviceNumber dev)
    {
        foreach (var m in s.Topology.MountsOf(dev))
            if (IsFuseType(m.FsType)) return m;
        return null;
    }

    /// <summary>A FUSE filesystem type as mountinfo shows it: fuse, fuse.SUBTYPE, fuseblk, fuseblk.SUBTYPE (fs/fuse/inode.c
    /// fuse_fs_type, fuseblk_fs_type; the subtype from the mount's subtype= option).</summary>
    private static bool IsFuseType(string type) =>
        type is "fuse" or "fuseblk" || type.StartsWith("fuse.", StringComparison.Ordinal) || type.StartsWith("fuseblk.", StringComparison.Ordinal);

    private static FuseConnection Connection(ReplayState s, DeviceNumber dev)
    {
        var mount = FuseMount(s, dev);
        return new(new FuseConnectionNode(dev, mount is null ? null : $"{mount.FsType} on {mount.MountPoint}"), mount?.Evidence);
    }

    /// <summary>Rule fuse-writeback-in-connection-request: writeback of a page on a FUSE filesystem is in a request to its
    /// daemon, and the connection is served by the task holding its oldest request. False when the page is not on FUSE.</summary>
    public static bool AddFuseWriteback(WaitForGraph g, ReplayState s, PageKey key)
    {
        if (ConnectionOf(s, key.Dev) is not { } dev) return false;
        var conn = Connection(s, dev);
        var oldest = s.Fuse.OldestPendingOn(dev);
        g.Add(new WaitEdge(new WritebackNode(key), conn.Node, Relation.InRequestTo, Rules.FuseWritebackInConnectionRequest,
            Lines(oldest?.Sent, conn.MountLine)));
        AddServer(g, s, conn, oldest);
        return true;
    }

    /// <summary>Rule fuse-request-waits-for-answer: a task asleep in request_wait_answer waits for the request it queued
    /// last and that has not ended. False when its stack is not in a FUSE request or no such request is pending.</summary>
    public static bool AddFuseRequestWait(WaitForGraph g, ReplayState s, TaskRecord t, TaskNode from)
    {
        if (t.SleepStackId == 0 || !StackReader.Contains(s.Stacks.Get(t.SleepStackId), "request_wait_answer")) return false;
        var mine = s.Fuse.PendingOnAny(t.Pid);
        if (mine is null) return false;
        var conn = Connection(s, mine.Connection);
        g.Add(new WaitEdge(from, conn.Node, Relation.WaitsForAnswer, new RuleUse(Rules.FuseRequestWaitsForAnswer, "request_wait_answer"),
            Lines(mine.Sent, t.SleepLine)));
        AddServer(g, s, conn, mine);
        return true;
    }

    /// <summary>Rule server-holds-queued-request for a FUSE connection: the reader the request's queueing woke, else the
    /// only task seen answering the connection, else (no answer in the trace) the one reader seen in fuse_dev_do_read or
    /// the one process holding /dev/fuse, when the connection is the only FUSE one.</summary>
    private static void AddServer(WaitForGraph g, ReplayState s, FuseConnection conn, FuseRequest? request)
    {
        if (request?.WokenReader is { } reader)
        {
            AddServedBy(g, conn.Node, Task(s, reader.Pid), new RuleUse(Rules.ServerHoldsQueuedRequest, "woken-reader"),
                Lines(request.Sent, reader.Line, s.Tasks.Get(reader.Pid)?.SleepLine));
            return;
        }
        var answerers = s.Fuse.AnswerersOf(conn.Node.Dev);
        if (answerers.Count == 1 && answerers.First() is var only)
        {
            AddServedBy(g, conn.Node, Task(s, only.Key), new RuleUse(Rules.ServerHoldsQueuedRequest, "sole-answerer"),
                Lines(request?.Sent, only.Value, s.Tasks.Get(only.Key)?.SleepLine));
            return;
        }
        if (answerers.Count > 0 || !IsOnlyFuseConnection(s, conn.Node.Dev)) return;
        // Nothing in the trace answers: the one reader of /dev/fuse a stack shows, else the one process holding it.
        if (DevReaders(s) is [var devReader])
        {
            AddServedBy(g, conn.Node, Task(s, devReader.Pid), new RuleUse(Rules.ServerHoldsQueuedRequest, "reader-in-dev-read"),
                Lines(request?.Sent, conn.MountLine, devReader.Line));
            return;
        }
        if (s.Topology.FuseDevHolders is [var holder])
            AddServedBy(g, conn.Node, Task(s, holder.Pid), new RuleUse(Rules.ServerHoldsQueuedRequest, "dev-fuse-holder"),
                Lines(request?.Sent, conn.MountLine, holder.Evidence, s.Tasks.Get(holder.Pid)?.SleepLine));
    }

    /// <summary>Whether the connection is the one FUSE connection the trace and the topology know of: /dev/fuse and its
    /// readers do not say which connection they serve.</summary>
    private static bool IsOnlyFuseConnection(ReplayState s, DeviceNumber dev)
    {
        foreach (var c in s.Fuse.Connections) if (c != dev) return false;
        foreach (var m in s.Topology.Mounts) if (IsFuseType(m.FsType) && m.Dev != dev) return false;
        return true;
    }

    /// <summary>The tasks seen reading /dev/fuse (a stack in fuse_dev_do_read): the trace's stack of a task's sleep (a
    /// kernel stack event, a hung-task report, sysrq-w), else the topology's stack of a thread at the end of the recording;
    /// each with the line of that stack.</summary>
    private static List<(int Pid, EvidenceLine Line)> DevReaders(ReplayState s)
    {
        var readers = new List<(int Pid, EvidenceLine Line)>();
        foreach (var t in s.Tasks.Tasks)
            if (t.SleepStackId != 0 && t.SleepLine is { } line && StackReader.Contains(s.Stacks.Get(t.SleepStackId), DevReadFrame))
                readers.Add((t.Pid, line));
        foreach (var stack in s.Topology.ThreadStacks)
            if (!readers.Exists(r => r.Pid == stack.Tid) && StackReader.Contains(stack.Frames, DevReadFrame))
                readers.Add((stack.Tid, stack.Evidence));
        return readers;
    }

    /// <summary>What the trace shows of a server at the end of a chain: asleep since T (its last switch, in which function
    /// if a stack says: the trace's stack of that sleep, else, at the end of the input (<paramref name="atEnd"/>: the
    /// sleep is the last the trace shows), the topology's stack of the thread when the recording ended, if /proc showed it
    /// asleep then), stopped, dead, or running and not answering. Null for a task that is no server of the
    /// chain, and for a server blocked in D: the chain goes on through its wait, or, where it cannot, ends at a hung task.</summary>
    public static string? ServerState(ReplayState s, IReadOnlyList<WaitEdge> chain, bool atEnd = false)
    {
        if (chain is not [.., { Relation: Relation.ServedBy, To: TaskNode server }]) return null;
        if (s.Tasks.Get(server.Pid) is not { } t || t.Generation != server.Generation) return "gone from the trace (its pid names a later task)";
        string since = TraceTime.Format(t.StateSinceNs);
        string? where = t.SleepStackId != 0 ? SleepReading(s, t).Wait.BlockedIn : null;
        if (where is null && atEnd) where = AtEndOfRecording(s, t);
        return t.State switch
        {
            TaskRunState.Sleeping => $"asleep (S) since {since}{(where is null ? "" : $" in {where}")}",
            TaskRunState.Stopped => $"stopped (T) since {since}{(where is null ? "" : $" in {where}")}",
            TaskRunState.Dead => $"dead since {since}",
            // A server in D whose wait the graph could not follow stays a hung task ("itself blocked in ..."), as before.
            TaskRunState.Blocked => null,
            TaskRunState.Running or TaskRunState.Runnable => $"running since {since}",
            _ => "not seen since the request was queued",
        };
    }

    /// <summary>Where a server the trace shows asleep or stopped at its end was when the recording ended, from the
    /// topology's stack of the thread (/proc, in the same state then): the function it sleeps in, and the system call
    /// (the outermost frame of a syscall's entry, else /proc/PID/syscall's number); null without such a stack.</summary>
    private static string? AtEndOfRecording(ReplayState s, TaskRecord t)
    {
        if (s.Topology.ThreadStackOf(t.Pid) is not { } last) return null;
        bool sameState = t.State switch
        {
            TaskRunState.Sleeping => last.State == 'S',
            TaskRunState.Stopped => last.State is 'T' or 't',
            _ => false,
        };
        if (!sameState || (StackReader.BlockedIn(last.Frames) ?? last.Wchan) is not { } function) return null;
        string? call = SystemCallOf(last.Frames) is { } name ? $"{name}(2)"
            : last.Syscall is { } nr && nr is not ("running" or "-1") ? $"system call {nr}" : null;
        return $"{function} ({(call is null ? "" : call + "; ")}its stack when the recording ended)";
    }

    /// <summary>Frame prefixes of a system call's entry, outermost first in a stack: the arch wrapper
    /// (arch/x86/entry/syscall_64.c x64_sys_call -> __x64_sys_NAME; __arm64_sys_NAME), SYSCALL_DEFINE's
    /// __se_sys_NAME/__do_sys_NAME (include/linux/syscalls.h) and the ksys_NAME helpers those call.</summary>
    private static readonly string[] SystemCallPrefixes = ["__x64_sys_", "__ia32_sys_", "__arm64_sys_", "__riscv_sys_", "__se_sys_", "__do_sys_", "ksys_"];

    /// <summary>The system call a kernel stack (innermost first) is in: its outermost frame of a syscall's entry.</summary>
    private static string? SystemCallOf(System.Collections.Immutable.ImmutableArray<string> frames)
    {
        for (int i = frames.Length - 1; i >= 0; i--)
            foreach (var prefix in SystemCallPrefixes)
                if (frames[i].StartsWith(prefix, StringComparison.Ordinal) && frames[i].Length > prefix.Length) return frames[i][prefix.Length..];
        return null;
    }
}
