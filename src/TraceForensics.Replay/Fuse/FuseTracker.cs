using TraceForensics.Events.Model;
using TraceForensics.Replay.Evidence;

namespace TraceForensics.Replay.Fuse;

/// <summary>A FUSE request queued and not yet ended: its connection (the filesystem's anonymous device), unique id, the
/// task that queued it and, when seen, the daemon thread its queueing woke to read it.</summary>
public sealed record FuseRequest(DeviceNumber Connection, long Unique, int SenderPid, EvidenceLine Sent)
{
    public (int Pid, EvidenceLine Line)? WokenReader { get; internal set; }
}

/// <summary>The FUSE connections of the trace (fs/fuse/fuse_trace.h): requests queued (fuse_request_send, fired in
/// fs/fuse/dev.c fuse_dev_queue_req before fuse_dev_wake_and_unlock wakes a reader of /dev/fuse) and ended
/// (fuse_request_end, in the context of the daemon thread whose answer fuse_dev_do_write copied, or of whoever aborted
/// the connection); the task each queueing woke; the tasks seen answering each connection.</summary>
public sealed class FuseTracker
{
    private Dictionary<(DeviceNumber, long), FuseRequest> _pending = new();
    /// <summary>The request a task queued in its current run: the first task it wakes before it leaves the CPU is the
    /// reader fuse_dev_wake_and_unlock woke for it.</summary>
    private Dictionary<int, FuseRequest> _queuedInRun = new();
    private Dictionary<DeviceNumber, SortedDictionary<int, EvidenceLine>> _answerers = new();
    private HashSet<DeviceNumber> _connections = new();

    /// <summary>Whether the trace showed requests of this connection (a FUSE filesystem's device).</summary>
    public bool IsConnection(DeviceNumber dev) => _connections.Contains(dev);

    public void Send(in TraceEvent e)
    {
        if (e.Payload is not { Dev: { } conn, Count: long unique }) return;
        _connections.Add(conn);
        var r = new FuseRequest(conn, unique, e.Pid, EvidenceLine.Of(e));
        _pending[(conn, unique)] = r;
        _queuedInRun[e.Pid] = r;
    }

    public void End(in TraceEvent e)
    {
        if (e.Payload is not { Dev: { } conn, Count: long unique }) return;
        _connections.Add(conn);
        int sender = _pending.Remove((conn, unique), out var r) ? r.SenderPid : -1;
        // A request ended by its own sender was not answered (the connection was gone: fuse_dev_queue_req ends it itself).
        if (e.Pid != sender && e.Pid != 0)
        {
            if (!_answerers.TryGetValue(conn, out var by)) _answerers[conn] = by = new();
            by[e.Pid] = EvidenceLine.Of(e);
        }
    }

    /// <summary>sched_waking by the event's task: the first after it queued a request in this run is the request's reader.</summary>
    public void Waking(in TraceEvent e)
    {
        if (_queuedInRun.Count == 0 || e.Payload.OtherPid is not int woken || !_queuedInRun.Remove(e.Pid, out var r)) return;
        if (_pending.ContainsKey((r.Connection, r.Unique))) r.WokenReader = (woken, EvidenceLine.Of(e));
    }

    /// <summary>A task left the CPU: what it wakes after is not its queueing's.</summary>
    public void Switched(int pid)
    {
        if (_queuedInRun.Count > 0) _queuedInRun.Remove(pid); // every sched_switch comes here; most traces have no FUSE
    }

    /// <summary>The oldest request of a connection not ended (by time sent, then unique id); null when none. One pass.</summary>
    public FuseRequest? OldestPendingOn(DeviceNumber conn)
    {
        FuseRequest? oldest = null;
        foreach (var r in _pending.Values)
            if (r.Connection == conn && (oldest is null || r.Sent.TimestampNs < oldest.Sent.TimestampNs
                                         || (r.Sent.TimestampNs == oldest.Sent.TimestampNs && r.Unique < oldest.Unique)))
                oldest = r;
        return oldest;
    }

    /// <summary>The connections the trace showed requests of.</summary>
    public IReadOnlyCollection<DeviceNumber> Connections => _connections;

    /// <summary>The latest request a task queued that has not ended, on any connection.</summary>
    public FuseRequest? PendingOnAny(int sender) =>
        _pending.Values.Where(r => r.SenderPid == sender).OrderByDescending(r => r.Sent.TimestampNs).ThenByDescending(r => r.Unique).FirstOrDefault();

    /// <summary>The tasks seen answering a connection's requests, by pid, each with its last answer.</summary>
    public IReadOnlyDictionary<int, EvidenceLine> AnswerersOf(DeviceNumber conn) =>
        _answerers.TryGetValue(conn, out var by) ? by : new SortedDictionary<int, EvidenceLine>();

    internal FuseTracker Clone() => new()
    {
        _pending = _pending.ToDictionary(p => p.Key, p => p.Value with { WokenReader = p.Value.WokenReader }),
        _queuedInRun = new(_queuedInRun),
        _answerers = _answerers.ToDictionary(a => a.Key, a => new SortedDictionary<int, EvidenceLine>(a.Value)),
        _connections = new(_connections),
    };
}
