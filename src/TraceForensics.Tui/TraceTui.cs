using System.Collections.ObjectModel;
using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Events.Model;
using TraceForensics.Replay;
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
    public const string Keys = "n/p step  [/] 10 ms  c cycle closed  / search  e export  ? keys  q quit";
    private const int LogRadius = 60;
    private readonly IApplication _app;
    private readonly TuiModel _model;
    private readonly Func<Finding, string> _export;
    private readonly ListView _findings = new() { Width = Dim.Fill(), Height = Dim.Fill() };
    private readonly TreeView _chain = new() { Width = Dim.Fill(), Height = Dim.Fill() };
    private readonly ListView _tasks = new() { Width = Dim.Fill(), Height = Dim.Fill() };
    private readonly ListView _log = new() { Width = Dim.Fill(), Height = Dim.Fill() };
    private readonly Label _status = new() { Width = Dim.Fill(), Height = 1 };
    private readonly Label _search = new() { Width = Dim.Fill(), Height = 1, Visible = false };
    private int _cursor = -1;
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
        var logFrame = new FrameView { Title = "Events", Y = Pos.Bottom(tasksFrame), Width = Dim.Fill(), Height = Dim.Fill(2) };
        logFrame.Add(_log);
        _search.Y = Pos.AnchorEnd(2);
        _status.Y = Pos.AnchorEnd(1);
        Window.Add(findingsFrame, chainFrame, tasksFrame, logFrame, _search, _status);

        _findings.SetSource(new ObservableCollection<string>(model.Findings.Count == 0
            ? ["no deadlock, stall or hung task found"]
            : model.Findings.Select(f => Clean($"{f.Id} {f.Kind.Name()} {TraceTime.Format(f.AtNs)} {f.Summary}"))));
        _findings.ValueChanged += (_, _) => ShowChain();
        app.Keyboard.KeyDown += OnKey;
        if (model.Findings.Count > 0) _findings.SelectedItem = 0;
        ShowChain();
        MoveTo(-1);
    }

    public Window Window { get; }
    public int Cursor => _cursor;
    public Finding? SelectedFinding => _findings.SelectedItem is int i && i >= 0 && i < _model.Findings.Count ? _model.Findings[i] : null;

    private void OnKey(object? sender, Key key)
    {
        if (_search.Visible)
        {
            // Search mode: the line at the bottom takes the typing; Enter searches, Esc cancels.
            if (key == Key.Esc) HideSearch();
            else if (key == Key.Enter) Search(_search.Text[1..]);
            else if (key == Key.Backspace) { if (_search.Text.Length > 1) _search.Text = _search.Text[..^1]; }
            else if (key.AsRune.Value is >= 0x20 and not 0x7F) _search.Text += key.AsRune.ToString();
            key.Handled = true;
            return;
        }
        if (key == Key.Q) { _app.RequestStop(); key.Handled = true; }
        else if (key == Key.N) { MoveTo(_cursor + 1); key.Handled = true; }
        else if (key == Key.P) { MoveTo(_cursor - 1); key.Handled = true; }
        else if (key == Key.CursorRight.WithCtrl || key.AsRune.Value == ']') { JumpBy(10_000_000); key.Handled = true; }
        else if (key.AsRune.Value == '[') { JumpBy(-10_000_000); key.Handled = true; }
        else if (key == Key.C) { JumpToCycle(); key.Handled = true; }
        else if (key.AsRune.Value == '/') { _search.Visible = true; _search.Text = "/"; key.Handled = true; }
        else if (key == Key.E) { Export(); key.Handled = true; }
        else if (key.AsRune.Value == '?') { _message = Keys; UpdateStatus(); key.Handled = true; }
        else if (key == Key.X) { ExpandChain(); key.Handled = true; }
    }

    /// <summary>Puts the time cursor on event <paramref name="index"/> (-1: before the first).</summary>
    public void MoveTo(int index)
    {
        _cursor = Math.Clamp(index, -1, _model.Events.Count - 1);
        var state = _model.StateAt(_cursor);
        long now = _cursor >= 0 ? _model.Events[_cursor].TimestampNs : (_model.Events.Count > 0 ? _model.Events[0].TimestampNs : 0);
        _tasks.SetSource(new ObservableCollection<string>(TaskLines(state, now)));
        int from = Math.Max(0, _cursor - LogRadius), to = Math.Min(_model.Events.Count, Math.Max(_cursor, 0) + LogRadius);
        _log.SetSource(new ObservableCollection<string>(Enumerable.Range(from, to - from)
            .Select(i => (i == _cursor ? "> " : "  ") + _model.Line(_model.Events[i]))));
        if (_cursor >= 0) _log.SelectedItem = _cursor - from;
        UpdateStatus();
    }

    public void JumpBy(long ns)
    {
        long now = _cursor >= 0 ? _model.Events[_cursor].TimestampNs : (_model.Events.Count > 0 ? _model.Events[0].TimestampNs : 0);
        MoveTo(_model.IndexAt(now + ns) - (ns < 0 ? 0 : 1));
    }

    /// <summary>Moves the cursor to where the selected finding's cycle closed (or its stall began).</summary>
    public void JumpToCycle()
    {
        if (SelectedFinding is { } f) MoveTo(_model.IndexAt(f.AtNs + 1) - 1);
    }

    /// <summary>Searches the event log forward from the cursor for <paramref name="text"/> (comm, event, pid, line).</summary>
    public void Search(string text)
    {
        HideSearch();
        if (string.IsNullOrWhiteSpace(text)) return;
        for (int k = 1; k <= _model.Events.Count; k++)
        {
            int i = (_cursor + k + _model.Events.Count) % _model.Events.Count;
            if (_model.Line(_model.Events[i]).Contains(text, StringComparison.OrdinalIgnoreCase))
            {
                _message = $"found '{Clean(text)}'";
                MoveTo(i);
                return;
            }
        }
        _message = $"'{Clean(text)}' not found";
        UpdateStatus();
    }

    public void Export()
    {
        if (SelectedFinding is not { } f) return;
        _message = Clean(_export(f));
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
            var node = new TreeNode { Text = Clean($"{NodeText.Describe(e.From, _model.FinalState)} {ChainText.Verb(e.Relation)} {NodeText.Describe(e.To, _model.FinalState)} [{(e.Observed ? "observed" : $"inferred: {e.Rule}")}]") };
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

    private IEnumerable<string> TaskLines(ReplayState state, long now)
    {
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
            yield return Clean($"{t.Comm}:{t.Pid} {state1}{waits}{reclaim}");
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
