using System.Collections.ObjectModel;
using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Events.Model;
using TraceForensics.Replay;
using TraceForensics.Replay.Snapshots;
using TraceForensics.Replay.Tasks;
using Terminal.Gui.App;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace TraceForensics.Tui;

/// <summary>The terminal UI: findings (deadlocks first), the selected finding's wait chain as a tree with evidence,
/// the tasks at the time cursor (state, blocked for, waiting on), the event log around the cursor, and keys to move
/// the cursor: n/p step, [ ] jump 10 ms, c to where the selected finding's cycle closed, / search, e export, ? keys,
/// q quit. Everything drawn from the trace goes through UntrustedText.</summary>
public sealed class TraceTui
{
    public const string Keys = TuiKeys.Line;
    public const string Help = "n/p step  [ ] 10 ms  g go to time  t/T next/prev event of the selected task  c where the cycle closed  " +
                               "G the last event  H the last hung-task report  " +
                               "/ search  f filter the log  v tasks|pages+bios  x expand chain  Enter on a trace line: log there  e export  q quit";
    private const int LogRadius = 60;
    private readonly IApplication _app;
    private TuiModel _model;
    private readonly Func<Finding, string> _export;
    private readonly ListView _findings = new() { Width = Dim.Fill(), Height = Dim.Fill() };
    private readonly TreeView _chain = new() { Width = Dim.Fill(), Height = Dim.Fill() };
    private readonly ListView _tasks = new() { Width = Dim.Fill(), Height = Dim.Fill() };
    private readonly ListView _log = new() { Width = Dim.Fill(), Height = Dim.Fill() };
    private readonly Label _status = new() { Width = Dim.Fill(), Height = 1 };
    private readonly Label _search = new() { Width = Dim.Fill(), Height = 1, Visible = false };
    private Action<string>? _onInput; // what Enter does with the typed line (search, go to time, filter)
    private int _promptLength;
    private string _filter = "";
    private bool _pagesView;
    private FrameView _tasksFrame = null!;
    private int _cursor = -1;
    /// <summary>The status line's message, raw: sanitized once, when the status line is drawn.</summary>
    private string? _message;

    public TraceTui(IApplication app, TuiModel model, Func<Finding, string> export)
    {
        _app = app;
        _model = model;
        _export = export;
        Window = new Window { Title = "tracefx", Width = Dim.Fill(), Height = Dim.Fill() };
        var findingsFrame = new FrameView { Title = "Findings", Width = Dim.Percent(40), Height = Dim.Percent(40) };
        findingsFrame.Add(_findings);
        var chainFrame = new FrameView { Title = "Wait chain", X = Pos.Right(findingsFrame), Width = Dim.Fill(), Height = Dim.Percent(40) };
        chainFrame.Add(_chain);
        var tasksFrame = new FrameView { Title = "Tasks at cursor", Y = Pos.Bottom(findingsFrame), Width = Dim.Fill(), Height = Dim.Percent(25) };
        tasksFrame.Add(_tasks);
        _tasksFrame = tasksFrame;
        var logFrame = new FrameView { Title = "Events", Y = Pos.Bottom(tasksFrame), Width = Dim.Fill(), Height = Dim.Fill(2) };
        logFrame.Add(_log);
        _search.Y = Pos.AnchorEnd(2);
        _status.Y = Pos.AnchorEnd(1);
        Window.Add(findingsFrame, chainFrame, tasksFrame, logFrame, _search, _status);

        _findings.ValueChanged += (_, _) => ShowChain();
        app.Keyboard.KeyDown += OnKey;
        SetModel(model);
    }

    /// <summary>Shows a (newly loaded) model: the views fill in; the cursor goes before the first event.</summary>
    public void SetModel(TuiModel model)
    {
        _model = model;
        _findings.SetSource(new ObservableCollection<string>(model.Findings.Count == 0
            ? [model.Events.Count == 0 ? "(loading...)" : "no deadlock, stall or hung task found"]
            : model.Findings.Select(f => Clean($"{f.Id} {f.Kind.Name()} {TraceTime.Format(f.AtNs)} {f.Summary}"))));
        if (model.Findings.Count > 0) _findings.SelectedItem = 0;
        ShowChain();
        MoveTo(-1);
    }

    /// <summary>The background load failed: say so instead of "loading" forever.</summary>
    public void LoadFailed(string why)
    {
        _findings.SetSource(new ObservableCollection<string>([Clean($"could not load: {why}")]));
        _message = $"could not load: {why}";
        UpdateStatus();
    }

    /// <summary>Progress while the trace loads in the background.</summary>
    public void Loading(long events)
    {
        _message = $"loading: {events:N0} events read";
        UpdateStatus();
    }

    public Window Window { get; }
    public int Cursor => _cursor;
    public Finding? SelectedFinding => _findings.SelectedItem is int i && i >= 0 && i < _model.Findings.Count ? _model.Findings[i] : null;

    private void OnKey(object? sender, Key key)
    {
        if (_search.Visible)
        {
            // Input mode: the line at the bottom takes the typing; Enter applies it, Esc cancels.
            if (key == Key.Esc) HideSearch();
            else if (key == Key.Enter) { var text = _search.Text[_promptLength..]; HideSearch(); _onInput?.Invoke(text); }
            else if (key == Key.Backspace) { if (_search.Text.Length > _promptLength) _search.Text = _search.Text[..^1]; }
            else if (key.AsRune.Value is >= 0x20 and not 0x7F) _search.Text += key.AsRune.ToString();
            key.Handled = true;
            return;
        }
        if (key == Key.Enter && _chain.HasFocus && _chain.SelectedObject is TreeNode { Tag: Replay.Evidence.EvidenceLine line })
        {
            ShowEvidence(line);
            key.Handled = true;
            return;
        }
        char c = key.AsRune.Value is > 0 and < 0x10000 ? (char)key.AsRune.Value : '\0';
        key.Handled = true;
        switch (c)
        {
            case 'q': _app.RequestStop(); break;
            case 'n': MoveTo(_cursor + 1); break;
            case 'p': MoveTo(_cursor - 1); break;
            case ']': JumpBy(10_000_000); break;
            case '[': JumpBy(-10_000_000); break;
            case 'c': JumpToCycle(); break;
            case 'G': MoveTo(_model.Events.Count - 1); break;
            case 'H': JumpToLastHangReport(); break;
            case 'e': Export(); break;
            case 'x': ExpandChain(); break;
            case 'v': _pagesView = !_pagesView; MoveTo(_cursor); break;
            case 't': NextTaskEvent(+1); break;
            case 'T': NextTaskEvent(-1); break;
            case '?': _message = Help; UpdateStatus(); break;
            case '/': Prompt("search:", Search); break;
            case 'g': Prompt("go to time:", GoTo); break;
            case 'f': Prompt("filter (pid, comm, event, text; empty: none):", Filter); break;
            default: key.Handled = false; break;
        }
    }

    private void Prompt(string label, Action<string> onInput)
    {
        _onInput = onInput;
        _search.Text = label + " ";
        _promptLength = label.Length + 1;
        _search.Visible = true;
    }

    /// <summary>Moves the cursor to the first event at or after a trace time ("338.9003").</summary>
    public void GoTo(string time)
    {
        if (TraceTime.TryParse(time, out long ns)) MoveTo(Math.Min(_model.IndexAt(ns), _model.Events.Count - 1));
        else { _message = $"not a trace time: {time}"; UpdateStatus(); }
    }

    /// <summary>Shows only the log lines that contain <paramref name="text"/> (empty: all).</summary>
    public void Filter(string text)
    {
        _filter = text.Trim();
        _message = _filter.Length == 0 ? "filter off" : $"filter '{_filter}'";
        MoveTo(_cursor);
    }

    /// <summary>The event log at a trace line of the evidence.</summary>
    public void ShowEvidence(Replay.Evidence.EvidenceLine line)
    {
        int i = _model.Events.Find(line.Input, line.Line, line.TimestampNs);
        if (i >= 0) MoveTo(i);
    }

    /// <summary>The next (or previous) event of the task selected in the tasks view.</summary>
    public void NextTaskEvent(int direction)
    {
        if (_pagesView || _tasks.SelectedItem is not int row || row < 0 || row >= _taskPids.Count) return;
        int pid = _taskPids[row];
        for (int i = _cursor + direction; i >= 0 && i < _model.Events.Count; i += direction)
            if (_model.Events[i].Pid == pid || _model.Events[i].Payload.OtherPid == pid) { MoveTo(i); _tasks.SelectedItem = _taskPids.IndexOf(pid); return; }
        _message = "no more events of that task";
        UpdateStatus();
    }

    /// <summary>Puts the time cursor on event <paramref name="index"/> (-1: before the first).</summary>
    public void MoveTo(int index)
    {
        _cursor = Math.Clamp(index, -1, _model.Events.Count - 1);
        var state = _model.StateAt(_cursor);
        long now = _cursor >= 0 ? _model.Events[_cursor].TimestampNs : (_model.Events.Count > 0 ? _model.Events[0].TimestampNs : 0);
        _tasksFrame.Title = _pagesView ? "Pages and bios at cursor" : "Tasks at cursor";
        _tasks.SetSource(new ObservableCollection<string>(_pagesView ? PageAndBioLines(state) : TaskLines(state, now)));
        var rows = new List<string>();
        int selected = -1;
        for (int i = Math.Max(0, _cursor - LogRadius); i < Math.Min(_model.Events.Count, Math.Max(_cursor, 0) + LogRadius); i++)
        {
            var text = _model.Line(_model.Events[i]);
            if (_filter.Length > 0 && i != _cursor && !text.Contains(_filter, StringComparison.OrdinalIgnoreCase)) continue;
            if (i == _cursor) selected = rows.Count;
            rows.Add((i == _cursor ? "> " : "  ") + text);
        }
        _log.SetSource(new ObservableCollection<string>(rows));
        if (selected >= 0) _log.SelectedItem = selected;
        UpdateStatus();
    }

    public void JumpBy(long ns)
    {
        long now = _cursor >= 0 ? _model.Events[_cursor].TimestampNs : (_model.Events.Count > 0 ? _model.Events[0].TimestampNs : 0);
        int target = _model.IndexAt(now + ns) - (ns < 0 ? 0 : 1);
        // Across a gap longer than the jump, still move: at least one event.
        MoveTo(ns > 0 ? Math.Max(target, _cursor + 1) : Math.Min(target, _cursor - 1));
    }

    /// <summary>Moves the cursor to where the selected finding's cycle closed (or its stall began).</summary>
    public void JumpToCycle()
    {
        if (SelectedFinding is { } f) MoveTo(_model.IndexAt(f.AtNs + 1) - 1);
    }

    /// <summary>Moves the cursor to the trace's last hung-task report.</summary>
    public void JumpToLastHangReport()
    {
        if (_model.Events.LastHangReport is int i and >= 0) MoveTo(i);
        else { _message = "no hung-task report in the trace"; UpdateStatus(); }
    }

    /// <summary>Searches the event log forward from the cursor for <paramref name="text"/> (comm, event, pid, line).</summary>
    public void Search(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return;
        for (int k = 1; k <= _model.Events.Count; k++)
        {
            int i = (_cursor + k + _model.Events.Count) % _model.Events.Count;
            if (_model.Line(_model.Events[i]).Contains(text, StringComparison.OrdinalIgnoreCase))
            {
                _message = $"found '{text}'";
                MoveTo(i);
                return;
            }
        }
        _message = $"'{text}' not found";
        UpdateStatus();
    }

    public void Export()
    {
        if (SelectedFinding is not { } f) return;
        _message = _export(f);
        UpdateStatus();
    }

    public void ExpandChain()
    {
        foreach (var o in (_chain.Objects ?? []).ToList()) _chain.ExpandAll(o);
    }

    private void HideSearch() => _search.Visible = false;

    private void ShowChain()
    {
        _chain.ClearObjects();
        if (SelectedFinding is not { } f) return;
        foreach (var e in f.Chain)
        {
            var node = new TreeNode { Text = Clean(RelationWords.Line(e)) };
            node.Children = e.Lines.Select(l => (ITreeNode)new TreeNode
            {
                Text = Clean($"{Path.GetFileName(_model.Paths[l.Input])}:{l.Line} @{TraceTime.Format(l.TimestampNs)}"),
                Tag = l,
            }).ToList();
            _chain.AddObject(node);
        }
        foreach (var t in f.Tasks)
            _chain.AddObject(new TreeNode { Text = Clean($"{t.Comm}:{t.Pid} blocked in {t.BlockedIn ?? "?"}"),
                Children = t.Stack.Where(fr => !StackReader.IsSchedulerFrame(fr)).Take(20).Select(fr => (ITreeNode)new TreeNode { Text = Clean(fr) }).ToList() });
    }

    private readonly List<int> _taskPids = new();

    /// <summary>Page locks, writeback ranges, bios, plugs and devices at the cursor, in the words of <c>tracefx replay</c>.</summary>
    private static IEnumerable<string> PageAndBioLines(ReplayState state)
    {
        var s = ReplaySnapshot.Of(state);
        return SnapshotText.PageLocks(s).Take(50)
            .Concat(SnapshotText.WritebackRanges(s).Take(50))
            .Concat(SnapshotText.Bios(s).Take(50))
            .Concat(SnapshotText.Plugs(s).Take(20))
            .Concat(SnapshotText.Devices(s).Select(d => $"device {d}"))
            .Select(Clean);
    }

    private IEnumerable<string> TaskLines(ReplayState state, long now)
    {
        _taskPids.Clear();
        var interesting = state.Tasks.Tasks.Where(t => t.Pid != 0 && t.State != TaskRunState.Unknown)
            // Blocked tasks first (longest first), then the most recently active.
            .OrderBy(t => t.State == TaskRunState.Blocked ? 0 : 1).ThenBy(t => t.State == TaskRunState.Blocked ? t.StateSinceNs : -t.LastSeenNs)
            .ThenBy(t => t.Pid).Take(200);
        foreach (var t in interesting)
        {
            var state1 = t.State switch
            {
                TaskRunState.Blocked => $"D {(now - t.StateSinceNs) / 1e6:0.000} ms",
                TaskRunState.Running => "running",
                TaskRunState.Runnable => "runnable",
                TaskRunState.Sleeping => "S",
                _ => t.State.ToString().ToLowerInvariant(),
            };
            var waits = t.Wait is { Page: { } p } w ? $" waits for {(w.Kind == WaitKind.PageLock ? "lock" : "writeback")} of page {p.Dev} ino {p.Ino} index {p.Index}" : "";
            var reclaim = t.ReclaimDepth > 0 ? " (in reclaim)" : "";
            _taskPids.Add(t.Pid);
            yield return Clean($"{_model.Strip(t.Pid, now)} {t.Comm}:{t.Pid} {state1}{waits}{reclaim}");
        }
    }

    private void UpdateStatus()
    {
        var at = _cursor >= 0 ? TraceTime.Format(_model.Events[_cursor].TimestampNs) : "start";
        _status.Text = Clean($"cursor {at} ({_cursor + 1}/{_model.Events.Count}){(_model.Truncated ? " (trace truncated)" : "")}  {_message ?? Keys}");
        _message = null;
    }

    private static string Clean(string s) => UntrustedText.ForTerminal(s);
}
