using TraceForensics.Events.Model;
using TraceForensics.Replay;
using TraceForensics.Replay.Evidence;
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

    /// <summary>Whether a device is a FUSE connection: the trace showed its requests, or the topology a fuse mount of it.</summary>
    public static bool IsFuse(ReplayState s, DeviceNumber dev) =>
        dev is { IsNamed: false, Major: 0 } && (s.Fuse.IsConnection(dev) || FuseMount(s, dev) is not null);

    private static MountRecordText? FuseMount(ReplayState s, DeviceNumber dev) =>
        s.Topology.MountsOf(dev).FirstOrDefault(m => IsFuseType(m.FsType))
            is { } m ? new MountRecordText($"{m.FsType} on {m.MountPoint}", m.Evidence) : null;

    /// <summary>A FUSE filesystem type as mountinfo shows it: fuse, fuse.SUBTYPE, fuseblk (fs/fuse/inode.c fuse_fs_type,
    /// fuseblk_fs_type; the subtype from the mount's subtype= option).</summary>
    private static bool IsFuseType(string type) => type is "fuse" or "fuseblk" || type.StartsWith("fuse.", StringComparison.Ordinal);

    private sealed record MountRecordText(string Text, EvidenceLine Line);

    private static FuseConnectionNode Connection(ReplayState s, DeviceNumber dev) => new(dev, FuseMount(s, dev)?.Text);

    /// <summary>Rule fuse-writeback-in-connection-request: writeback of a page on a FUSE filesystem is in a request to its
    /// daemon, and the connection is served by the task holding its oldest request. False when the page is not on FUSE.</summary>
    public static bool AddFuseWriteback(WaitForGraph g, ReplayState s, PageKey key)
    {
        if (!IsFuse(s, key.Dev)) return false;
        var conn = Connection(s, key.Dev);
        var oldest = s.Fuse.PendingOn(key.Dev).FirstOrDefault();
        g.Add(new WaitEdge(new WritebackNode(key), conn, Relation.InRequestTo, Rules.FuseWritebackInConnectionRequest,
            Lines(oldest?.Sent, FuseMount(s, key.Dev)?.Line)));
        AddConnection(g, s, conn, oldest);
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
        g.Add(new WaitEdge(from, conn, Relation.WaitsForAnswer, new RuleUse(Rules.FuseRequestWaitsForAnswer, "request_wait_answer"),
            Lines(mine.Sent, t.SleepLine)));
        AddConnection(g, s, conn, mine);
        return true;
    }

    /// <summary>Rule server-holds-queued-request for a FUSE connection: the reader the request's queueing woke, else the
    /// only task seen answering the connection.</summary>
    private static void AddConnection(WaitForGraph g, ReplayState s, FuseConnectionNode conn, Replay.Fuse.FuseRequest? oldest)
    {
        if (oldest?.WokenReader is { } reader)
        {
            AddServedBy(g, conn, Task(s, reader.Pid), new RuleUse(Rules.ServerHoldsQueuedRequest, "woken-reader"),
                Lines(oldest.Sent, reader.Line, s.Tasks.Get(reader.Pid)?.SleepLine));
            return;
        }
        if (s.Fuse.AnswerersOf(conn.Dev) is { Count: 1 } answerers && answerers.First() is var only)
        {
            AddServedBy(g, conn, Task(s, only.Key), new RuleUse(Rules.ServerHoldsQueuedRequest, "sole-answerer"),
                Lines(oldest?.Sent, only.Value, s.Tasks.Get(only.Key)?.SleepLine));
            return;
        }
        if (s.Fuse.AnswerersOf(conn.Dev).Count > 0) return;
        // Nothing in the trace: the capture-time topology's one FUSE mount and one process holding /dev/fuse.
        var fuseMounts = s.Topology.Mounts.Where(m => IsFuseType(m.FsType)).Select(m => m.Dev).Distinct().Take(2).ToList();
        if (fuseMounts is [var mounted] && mounted == conn.Dev && s.Topology.FuseDevHolders is [var holder])
            AddServedBy(g, conn, Task(s, holder.Pid), new RuleUse(Rules.ServerHoldsQueuedRequest, "dev-fuse-holder"),
                Lines(oldest?.Sent, FuseMount(s, conn.Dev)?.Line, holder.Evidence, s.Tasks.Get(holder.Pid)?.SleepLine));
    }

    /// <summary>What the trace shows of a server at the end of a chain: asleep since T (its last switch, in which function
    /// if a stack says), stopped, dead, or running and not answering. Null for a task that is no server of the chain, and
    /// for a server blocked in D: the chain goes on through its wait, or, where it cannot, ends at a hung task.</summary>
    public static string? ServerState(ReplayState s, IReadOnlyList<WaitEdge> chain)
    {
        if (chain is not [.., { Relation: Relation.ServedBy, To: TaskNode server }]) return null;
        if (s.Tasks.Get(server.Pid) is not { } t || t.Generation != server.Generation) return "gone from the trace (its pid names a later task)";
        string since = TraceTime.Format(t.StateSinceNs);
        string? where = t.SleepStackId != 0 ? SleepReading(s, t).Wait.BlockedIn : null;
        return t.State switch
        {
            TaskRunState.Sleeping => $"asleep (S) since {since}{(where is null ? "" : $" in {where}")}",
            TaskRunState.Stopped => $"stopped (T) since {since}",
            TaskRunState.Dead => $"dead since {since}",
            // A server in D whose wait the graph could not follow stays a hung task ("itself blocked in ..."), as before.
            TaskRunState.Blocked => null,
            TaskRunState.Running or TaskRunState.Runnable => $"running since {since}",
            _ => "not seen since the request was queued",
        };
    }
}
