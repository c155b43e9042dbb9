using System.Globalization;
using TraceForensics.Replay.Tasks;

namespace TraceForensics.Cli.Watch;

/// <summary>What bounds a watch's memory, whatever the run length and the event rate. By time: the pages and kernel
/// log of the window only (<see cref="PageWindow.Trim"/>), and the replay started again from the window's pages every
/// <see cref="RenewalWindows"/> windows (its state grows with what it has seen: tasks, evidence, candidates), when that
/// loses nothing: every task blocked now went to sleep inside the window, so the new replay sees it go to sleep again.
/// By bytes (<c>--max-memory</c>): half for the window's pages (past it the window is shorter), half for pages read and
/// not yet replayed (past it the oldest are dropped, a lost-events gap for the replay; a replay started again is handed
/// the whole window, so this half is not less than the other), and when the heap beyond the pages passes a quarter the
/// replay starts again from the window whatever it loses: a task blocked since before the window becomes unknown (as
/// after lost events), its incident stays open until it is seen again. Each time a cap bites it says so on stderr.
/// Pages waiting are mostly pages of the window too, so the pages cost at most the cap, the replay a quarter more.</summary>
internal sealed class WatchMemory(long capBytes, long windowNs)
{
    public const long DefaultCapMiB = 512;
    /// <summary>Pages handed to the replay at a time: its queue of decoded events stays small however far behind it is.</summary>
    public const long BatchBytes = 4 << 20;
    /// <summary>The replay starts again from the window after this many windows.</summary>
    public const int RenewalWindows = 2;

    private long _droppedSaid, _shortenedSaid;
    private long _lastRenewalNs;
    private long? _saidAtNs;

    public long CapBytes { get; } = capBytes;

    public PageWindow NewWindow(int commitSize) => new(CapBytes / 2, CapBytes / 2, commitSize);

    /// <summary>Times the replay was started again, and of them how many lost blocked tasks (the cap bit).</summary>
    public int Renewals { get; private set; }
    public int ForcedRenewals { get; private set; }

    /// <summary>Says on <paramref name="stderr"/> when the window's caps bit since it last said so: at most once a window
    /// (<paramref name="elapsedNs"/>: the watch's running time), however often they bite.</summary>
    public void SayWhenCapsBit(PageWindow window, long elapsedNs, TextWriter stderr)
    {
        if (_saidAtNs is long said && elapsedNs - said < windowNs) return;
        long dropped = window.Dropped, shortened = window.Shortened;
        if (dropped == _droppedSaid && shortened == _shortenedSaid) return;
        _saidAtNs = elapsedNs;
        if (dropped > _droppedSaid)
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"tracefx: the replay fell behind by more than {window.PendingCap >> 20} MiB of pages (--max-memory {CapBytes >> 20}): {dropped - _droppedSaid} pages dropped unreplayed ({dropped} in all); the tasks not seen since are unknown"));
        if (shortened > _shortenedSaid)
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"tracefx: the window's pages reached {window.KeptCap >> 20} MiB (--max-memory {CapBytes >> 20}): {shortened - _shortenedSaid} of its oldest pages dropped, an incident holds less than --window"));
        _droppedSaid = dropped;
        _shortenedSaid = shortened;
    }

    /// <summary>Whether the replay should start again from the window now (<paramref name="elapsedNs"/>: the watch's
    /// running time; <paramref name="behind"/>: pages wait to be replayed; <paramref name="heapBytes"/>: the GC heap
    /// after the last collection, garbage included; <paramref name="liveHeapBytes"/>: the heap in use, measured by a full
    /// collection, asked only when the first is over the cap; <paramref name="pageBytes"/> of them the window's pages).
    /// Says so when it loses blocked tasks.</summary>
    public bool Renew(LiveReplay live, long elapsedNs, bool behind, long heapBytes, Func<long> liveHeapBytes, long pageBytes, TextWriter stderr)
    {
        if (elapsedNs - _lastRenewalNs < windowNs) return false;
        var lost = BlockedBeforeWindow(live);
        bool due = !behind && elapsedNs - _lastRenewalNs >= RenewalWindows * windowNs && lost.Count == 0;
        bool forced = !due && heapBytes - pageBytes > CapBytes / 4 && liveHeapBytes() - pageBytes > CapBytes / 4;
        if (!due && !forced) return false;
        _lastRenewalNs = elapsedNs;
        Renewals++;
        if (lost.Count > 0)
        {
            ForcedRenewals++;
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"tracefx: the replay's state passed {CapBytes / 4 >> 20} MiB (--max-memory {CapBytes >> 20}): it starts again from the window; the tasks blocked since before it are unknown now: {string.Join(' ', lost.Take(20))}{(lost.Count > 20 ? " ..." : "")}"));
        }
        return true;
    }

    /// <summary>The tasks blocked since a time the window may no longer hold (a margin of a tenth of it, at least a
    /// second, for the pages trimmed by their first event's time and the replay's lag behind the ring buffer's clock).</summary>
    private List<int> BlockedBeforeWindow(LiveReplay live)
    {
        var state = live.Analyzer.State;
        long margin = Math.Max(windowNs / 10, Math.Min(1_000_000_000, windowNs / 2));
        long from = state.NowNs - (windowNs - margin);
        return state.Tasks.Blocked.Where(t => t.StateSinceNs < from || t.BlockedSinceUnknown).Select(t => t.Pid).Order().ToList();
    }

    /// <summary>Whether a task an incident was written for is no longer in the wait it was written for: seen in a state
    /// that began after it. A task not seen since (absent from a replay started again, or unknown after lost events) is
    /// not cleared.</summary>
    public static bool HasCleared(TaskRecord? t, long sinceNs) =>
        t is not null && t.State != TaskRunState.Unknown && t.StateSinceNs > sinceNs;
}
