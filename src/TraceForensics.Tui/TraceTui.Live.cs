namespace TraceForensics.Tui;

/// <summary>The UI of <c>tracefx tui --live</c>: the findings appear as they form (provisional while the watch goes on),
/// and the event log and the time cursor follow the end as events come, unless the user moved the cursor: then the
/// status line says so, and G (the last event) follows again.</summary>
public sealed partial class TraceTui
{
    private bool _live;
    private bool _following = true;
    private bool _liveMoving; // the cursor moved by a live update, not by the user
    private bool _liveEnded;
    /// <summary>The status line's last message and when it was first shown: a live step redraws the status line several
    /// times a second, and keeps the message for <see cref="HoldMessage"/> (or until a key replaces it).</summary>
    private (string Text, System.Diagnostics.Stopwatch Since)? _held;
    private static readonly TimeSpan HoldMessage = TimeSpan.FromSeconds(5);

    /// <summary>Whether the cursor follows the end of a live log.</summary>
    public bool Following => _following;

    /// <summary>Applies a live step (on the UI thread): appends its events to the model (<see cref="TuiModel.Append"/>),
    /// shows its findings and its last line, and keeps the cursor on the last event when following.</summary>
    public void Live(LiveUpdate update)
    {
        _live = true;
        _liveEnded = update.Ended;
        _model.Timelines.Record(update.Timelines);
        int dropped = _model.Append(update.Events, update.Checkpoint);
        _filtered = null;
        if (update.Findings is { } findings)
            ShowFindings(findings, update.Ended ? "no deadlock, stall or hung task found" : "(watching: nothing found yet)", provisional: !update.Ended);
        if (update.Messages.Count > 0) _message = update.Messages[^1];
        else if (_held is { } held && held.Since.Elapsed < HoldMessage) _message = held.Text;
        _liveMoving = true;
        try { MoveTo(_following ? _model.Events.Count - 1 : Math.Max(_cursor - dropped, -1)); }
        finally { _liveMoving = false; }
    }

    /// <summary>Runs <paramref name="feed"/> on a thread of its own until it ends or <paramref name="cancel"/>; each step
    /// goes to the UI thread (<see cref="Live"/>).</summary>
    public Task RunLive(LiveFeed feed, CancellationToken cancel) => Task.Run(() =>
    {
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                var update = feed.Step(TimeSpan.FromMilliseconds(200));
                if (update is null) continue;
                _post(() => Live(update));
                if (update.Ended) return;
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException or NullReferenceException or InvalidDataException)
        {
            // A bug in the analysis must not leave a UI that looks live: say so (the watch itself goes on).
            _post(() => { _liveEnded = true; _message = $"the live view stopped: {e.Message}"; UpdateStatus(); });
        }
    });

    /// <summary>After any move of the cursor: a move by the user leaves the end (unless to the last event, G).</summary>
    private partial void CursorMoved()
    {
        if (_live && !_liveMoving) _following = _cursor >= _model.Events.Count - 1;
    }

    private partial void MessageShown(string? message)
    {
        if (message is not null && message != _held?.Text) _held = (message, System.Diagnostics.Stopwatch.StartNew());
        else if (message is null) _held = null;
    }

    /// <summary>The live words of the status line.</summary>
    private partial string LiveWords() =>
        !_live ? "" : _liveEnded ? "  (live: ended)" : _following ? "  (live: following the end)" : "  (live: not following the end; G follows)";
}
