using TraceForensics.Analysis.Findings;

namespace TraceForensics.Cli.Watch;

/// <summary>The incidents a watch has written and not yet seen cleared. An incident is known by its finding's kind and
/// earliest-blocked task (pid and since when), so that one hang makes one incident however long it lasts. A chain
/// grows while it hangs: the loop worker blocks on a frozen filesystem first, dd blocks behind the loop device later.
/// A later finding of the same key that names a task the incident's files do not is <see cref="Verdict.Grown"/>: the
/// incident is written again over its directory (each file replaced atomically) so that reading it back names every
/// task, at most once per <see cref="RewriteEvery"/> (a chain that many tasks join one by one is not rewritten for each).</summary>
internal sealed class OpenIncidents
{
    /// <summary>The least time between two writings of one incident: writing one takes about a second (the README's
    /// figures); tasks that join meanwhile are taken in by the next.</summary>
    public static readonly TimeSpan RewriteEvery = TimeSpan.FromSeconds(10);

    public enum Verdict { New, Grown, Known }

    public sealed class Incident(string dir, FindingKind kind, FindingTask first, IEnumerable<int> pids, TimeSpan writtenAt, string? device = null)
    {
        public string Dir { get; } = dir;
        /// <summary>The st_dev of the filesystem it was written on (-o's or the fallback's), when known.</summary>
        public string? Device { get; } = device;
        public FindingKind Kind { get; } = kind;
        public int FirstPid { get; } = first.Pid;
        public long SinceNs { get; } = first.BlockedSinceNs;
        /// <summary>The tasks its files name, or that a line told of when it could not be written again.</summary>
        public HashSet<int> Pids { get; } = [.. pids];
        public TimeSpan WrittenAt { get; set; } = writtenAt;
    }

    private readonly List<Incident> _open = [];
    // Every key an incident was written for, cleared or not: a cleared hang is not written again.
    private readonly HashSet<(FindingKind, int, long)> _written = [];

    public IReadOnlyList<Incident> Open => _open;

    /// <summary>The finding's earliest-blocked task (ties: the first listed), which keys its incident.</summary>
    public static FindingTask First(Finding finding) => finding.Tasks.OrderBy(t => t.BlockedSinceNs).First();

    /// <summary>What <paramref name="finding"/> (which names at least one task) is at <paramref name="now"/> (the watch's
    /// elapsed time): a new incident, an open one grown (<paramref name="incident"/>, with the tasks that
    /// <paramref name="joined"/> it, due to be written again), or known (nothing to write now).</summary>
    public Verdict Classify(Finding finding, TimeSpan now, out Incident? incident, out IReadOnlyList<FindingTask> joined)
    {
        var first = First(finding);
        incident = _open.Find(i => i.Kind == finding.Kind && i.FirstPid == first.Pid && i.SinceNs == first.BlockedSinceNs);
        joined = [];
        if (incident is null)
            return _written.Contains((finding.Kind, first.Pid, first.BlockedSinceNs)) ? Verdict.Known : Verdict.New;
        var open = incident;
        var added = finding.Tasks.Where(t => !open.Pids.Contains(t.Pid)).ToList();
        if (added.Count == 0 || now - incident.WrittenAt < RewriteEvery) return Verdict.Known;
        joined = added;
        return Verdict.Grown;
    }

    /// <summary>A new incident tried for <paramref name="finding"/>: written into <paramref name="dir"/>, or not written
    /// (null; not tried again).</summary>
    public void Added(string? dir, Finding finding, TimeSpan now, string? device = null)
    {
        var first = First(finding);
        _written.Add((finding.Kind, first.Pid, first.BlockedSinceNs));
        if (dir is not null) _open.Add(new Incident(dir, finding.Kind, first, finding.Tasks.Select(t => t.Pid), now, device));
    }

    /// <summary><paramref name="incident"/> tried again for <paramref name="finding"/>: when <paramref name="written"/>,
    /// its files name the finding's tasks now (or a line told of them where it could not be written again); either way
    /// it is not tried again before <see cref="RewriteEvery"/>.</summary>
    public static void Rewritten(Incident incident, Finding finding, TimeSpan now, bool written)
    {
        if (written) incident.Pids.UnionWith(finding.Tasks.Select(t => t.Pid));
        incident.WrittenAt = now;
    }

    /// <summary><paramref name="incident"/> is no longer open: its hang cleared, or its directory is gone. Its key stays
    /// written: the same hang is not written again.</summary>
    public void Close(Incident incident) => _open.Remove(incident);
}
