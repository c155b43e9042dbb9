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
/// q quit. While the trace loads, the findings so far (provisional) and the tasks at the point reached are shown.
/// Search and filter read the log in the background, with progress; Esc cancels them. Everything drawn from the trace
/// goes through UntrustedText.</summary>
public sealed partial class TraceTui
{
    public const string Keys = TuiKeys.Line;
    public const string Help = "n/p step  [ ] 10 ms  z/Z zoom the strips in/out  g go to time  t/T next/prev event of the selected task  " +
                               "c where the cycle closed  G the last event  H the last hung-task report  " +
                               "/ search  f filter the log  Esc cancel a search/filter  v tasks|pages+bios  x expand chain  " +
                               "Enter on a trace line: log there  e export  q quit  " + TaskTimelines.Legend;
    private const int LogRadius = 60;
    private readonly IApplication _app;
    private TuiModel _model;
    private readonly Func<Finding, string> _export;
    private readonly Action<Action> _post; // runs an action on the UI thread (app.Invoke; a queue in tests)
    /// <summary>The findings listed: the model's, or while loading the provisional ones so far.</summary>
    private IReadOnlyList<Finding> _shown = [];
    private bool _loading;
    /// <summary>The background search or filter going on (null: none); Esc cancels it.</summary>
    private CancellationTokenSource? _scanCancel;
    /// <summary>The strips' time per column (z and Z zoom).</summary>
    private long _slotNs = TuiModel.StripSlotNs;
    /// <summary>The filter's matches over the events [From, To) (the log shows those around the cursor).</summary>
    private (int From, int To, List<(int Index, string Line)> Matches)? _filtered;
    private readonly ListView _findings = new() { Width = Dim.Fill(), Height = Dim.Fill() };
    private readonly TreeView _chain = new() { Width = Dim.Fill(), Height = Dim.Fill() };
    private readonly ListView _tasks = new() { Width = Dim.Fill(), Height = Dim.Fill() };
    private readonly ListView _log = new() { Width = Dim.Fill(), Height = Dim.Fill() };
    // No hot key: a Label takes the first '_' of its text for a hot key mark and hides it ("sched_switch" typed at the
    // prompt, or in a message, showed as "schedswitch"); '\xffff' turns that off (Terminal.Gui View.HotKeySpecifier).
    private readonly Label _status = new() { Width = Dim.Fill(), Height = 1, HotKeySpecifier = (System.Text.Rune)'\xffff' };
    private readonly Label _search = new() { Width = Dim.Fill(), Height = 1, Visible = false, HotKeySpecifier = (System.Text.Rune)'\xffff' };
    private Action<string>? _onInput; // what Enter does with the typed line (search, go to time, filter)
    private int _promptLength;
    private string _filter = "";
    private bool _pagesView;
    private FrameView _tasksFrame = null!;
    private int _cursor = -1;
    /// <summary>The status line's message, raw: sanitized once, when the status line is drawn.</summary>
    private string? _message;

    public TraceTui(IApplication app, TuiModel model, Func<Finding, string> export, Action<Action>? post = null)
    {
        _app = app;
        _model = model;
        _export = export;
        _post = post ?? (a => app.Invoke(a));
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
        _loading = false;
        // The placeholder while the trace loads: the main loop at 10 iterations a second (25 by default) until it ends.
        Throttle(ReferenceEquals(model.Events, EventLog.None) && model.Findings.Count == 0);
        _filtered = null;
        ShowFindings(model.Findings, model.Events.Count == 0 ? "(loading...)" : "no deadlock, stall or hung task found", provisional: false);
        MoveTo(-1);
    }

    private void ShowFindings(IReadOnlyList<Finding> findings, string none, bool provisional)
    {
        var selectedId = SelectedFinding?.Id;
        _shown = findings;
        // Found while the load goes on: a cycle may break (a task woken) before the end, so it is not final yet.
        var mark = provisional ? " (provisional)" : "";
        _findings.SetSource(new ObservableCollection<string>(findings.Count == 0
            ? [none]
            : findings.Select(f => Clean($"{f.Id} {f.Kind.Name()}{mark} {TraceTime.Format(f.AtNs)} {f.Summary}"))));
        if (findings.Count > 0)
        {
            int keep = selectedId is null ? -1 : findings.ToList().FindIndex(f => f.Id == selectedId);
            _findings.SelectedItem = Math.Max(keep, 0);
        }
        ShowChain();
    }

    /// <summary>The background load failed: say so instead of "loading" forever.</summary>
    public void LoadFailed(string why)
    {
        _loading = false;
        Throttle(false);
        _findings.SetSource(new ObservableCollection<string>([Clean($"could not load: {why}")]));
        _message = $"could not load: {why}";
        UpdateStatus();
    }

    /// <summary>Iterations of the main loop a second while the trace loads: each costs the UI thread about a millisecond
    /// of CPU (Terminal.Gui 2.5 polls input, the terminal's size and the views at every iteration, 25 a second by
    /// default), time the load on the same cpus does not get; the screen changes about once a second then.</summary>
    public const ushort LoadingIterationsPerSecond = 10;

    private static void Throttle(bool loading) =>
        Application.MaximumIterationsPerSecond = loading ? LoadingIterationsPerSecond : Application.DefaultMaximumIterationsPerSecond;

    /// <summary>Progress while the trace loads in the background.</summary>
    public void Loading(long events)
    {
        _message = $"loading: {events:N0} events read";
        UpdateStatus();
    }

    /// <summary>What the load found so far: the findings (marked provisional) and the tasks at the point reached.</summary>
    public void Loading(LoadProgress progress)
    {
        // The findings list and the chain are made again only when the findings changed.
        if (!_loading || _shown.Count != progress.Findings.Count || _shown.Zip(progress.Findings).Any(p => p.First.Id != p.Second.Id || p.First.Summary != p.Second.Summary))
            ShowFindings(progress.Findings, "(loading: nothing found yet)", provisional: true);
        _loading = true;
        _tasksFrame.Title = $"Tasks at {TraceTime.Format(progress.NowNs)} (loading)";
        // The list is made again only when its lines changed: Terminal.Gui measures every line's width (grapheme by
        // grapheme) when given a list, the UI thread's main cost while loading; the load makes only the lines shown.
        if (_taskPids.Count != progress.Tasks.Count || _taskLines is null || !_taskLines.SequenceEqual(progress.Tasks.Select(t => t.Line)))
        {
            _taskPids.Clear();
            _taskPids.AddRange(progress.Tasks.Select(t => t.Pid));
            _taskLines = new ObservableCollection<string>(progress.Tasks.Select(t => t.Line));
            _tasks.SetSource(_taskLines);
        }
        if (_tasks.Viewport.Height > 0) _taskRows = _tasks.Viewport.Height;
        if (progress.Stage is { } stage) { _message = $"loading: {progress.Events:N0} events read; {stage}"; UpdateStatus(); }
        else Loading(progress.Events);
    }

    /// <summary>The lines the tasks view was given while loading (null: none, or the cursor's since).</summary>
    private ObservableCollection<string>? _taskLines;
    private volatile int _taskRows = TaskLines.Max;

    /// <summary>How many tasks the tasks view shows (its height once laid out): what the load makes lines for while it
    /// goes on. Read from the load's thread.</summary>
    public int TaskRowsShown => _taskRows;

    public Window Window { get; }
    public int Cursor => _cursor;
    public Finding? SelectedFinding => _findings.SelectedItem is int i && i >= 0 && i < _shown.Count ? _shown[i] : null;

    /// <summary>The search or filter reading the log in the background (null: none), for tests.</summary>
    public Task? Scan { get; private set; }

    private void OnKey(object? sender, Key key)
    {
        if (key == Key.C.WithCtrl)
        {
            // Ctrl-C quits, whatever goes on: the terminal is raw, so it comes as a key and not as SIGINT.
            _scanCancel?.Cancel();
            _app.RequestStop();
            key.Handled = true;
            return;
        }
        if (_scanCancel is not null)
        {
            // A search or filter reads the log: Esc cancels it, q quits; other keys wait for it.
            if (key == Key.Esc) _scanCancel.Cancel();
            else if (key.AsRune.Value == 'q') { _scanCancel.Cancel(); _app.RequestStop(); }
            key.Handled = true;
            return;
        }
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
        if (key == Key.Esc)
        {
            // Nothing to cancel: kept from Terminal.Gui, whose quit key it is by default; a second Esc a search had already
            // ended before closed the UI (q quits).
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
            case 'z': Zoom(0.5); break;
            case 'Z': Zoom(2); break;
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
        _filtered = null;
        _message = _filter.Length == 0 ? "filter off" : $"filter '{_filter}'";
        MoveTo(_cursor);
    }

    /// <summary>Halves (0.5) or doubles (2) the time a column of the strips shows: 1 us to 10 s.</summary>
    public void Zoom(double factor)
    {
        _slotNs = Math.Clamp((long)(_slotNs * factor), 1_000, 10_000_000_000);
        MoveTo(_cursor);
    }

    /// <summary>Stops the search or filter going on (quitting).</summary>
    public void CancelScan() => _scanCancel?.Cancel();

    /// <summary>The event log at a trace line of the evidence.</summary>
    public void ShowEvidence(Replay.Evidence.EvidenceLine line)
    {
        int i = _model.Events.Find(line.Input, line.Line, line.TimestampNs);
        if (i >= 0) MoveTo(i);
    }

    /// <summary>The next (or previous) event of the task selected in the tasks view, read in the background like a
    /// search (progress on the status line, Esc cancels).</summary>
    public void NextTaskEvent(int direction)
    {
        if (_pagesView || _tasks.SelectedItem is not int row || row < 0 || row >= _taskPids.Count) return;
        int pid = _taskPids[row];
        var model = _model;
        int cursor = _cursor;
        StartScan(direction > 0 ? $"next event of {pid}" : $"previous event of {pid}", (cancel, progress) =>
        {
            long seen = 0;
            void Read() { if (++seen % 65536 == 0) progress(seen); }
            bool Of(TraceEvent e) => e.Pid == pid || e.Payload.OtherPid == pid;
            if (direction < 0)
                return LogScanBack.LastBefore(model.Events, cursor, 1, Of, Read, cancel).Matches is [var last] ? last.Index : -1;
            foreach (var (i, e) in model.Events.Stream(cursor + 1, model.Events.Count, cancel))
            {
                Read();
                if (Of(e)) return i;
            }
            return -1;
        }, found =>
        {
            if (!ReferenceEquals(model, _model)) return;
            if (found < 0) { _message = "no more events of that task"; UpdateStatus(); return; }
            MoveTo(found);
            _tasks.SelectedItem = _taskPids.IndexOf(pid);
        });
    }

    /// <summary>Puts the time cursor on event <paramref name="index"/> (-1: before the first).</summary>
    public void MoveTo(int index)
    {
        _cursor = Math.Clamp(index, -1, _model.Events.Count - 1);
        CursorMoved();
        if (_loading) { UpdateStatus(); return; } // the tasks view shows the load's point until it ends
        var state = _model.StateAt(_cursor);
        long now = _cursor >= 0 ? _model.Events[_cursor].TimestampNs : (_model.Events.Count > 0 ? _model.Events[0].TimestampNs : 0);
        int slots = StripSlots();
        _tasksFrame.Title = _pagesView ? "Pages and bios at cursor" : $"Tasks at cursor (strips: {Span(_slotNs)} a column, {Span(_slotNs * (slots / 2))} either side)";
        _taskLines = null;
        if (_pagesView) _tasks.SetSource(new ObservableCollection<string>(PageAndBioLines(state)));
        else
        {
            var lines = TaskLines.Of(state, now, pid => _model.Strip(pid, now, slots, _slotNs));
            _taskPids.Clear();
            _taskPids.AddRange(lines.Select(l => l.Pid));
            _tasks.SetSource(new ObservableCollection<string>(lines.Select(l => l.Line)));
        }
        if (_filter.Length > 0) { ShowFiltered(); return; }
        var rows = new List<string>();
        int selected = -1;
        for (int i = Math.Max(0, _cursor - LogRadius); i < Math.Min(_model.Events.Count, Math.Max(_cursor, 0) + LogRadius); i++)
        {
            if (i == _cursor) selected = rows.Count;
            rows.Add((i == _cursor ? "> " : "  ") + _model.Line(_model.Events[i]));
        }
        ShowLog(rows, selected);
    }

    private void ShowLog(List<string> rows, int selected)
    {
        _log.SetSource(new ObservableCollection<string>(rows));
        if (selected >= 0) _log.SelectedItem = selected;
        UpdateStatus();
    }

    /// <summary>A wide terminal shows more time: the strip takes what the task's words leave of the view's width.</summary>
    private int StripSlots()
    {
        int width = _tasks.Viewport.Width;
        return Math.Clamp((width - 72) | 1, TuiModel.StripSlots, 201);
    }

    private static string Span(long ns) =>
        ns >= 1_000_000_000 ? $"{ns / 1e9:0.###} s" : ns >= 1_000_000 ? $"{ns / 1e6:0.###} ms" : $"{ns / 1e3:0.###} us";

    /// <summary>The log with the filter on: the matching events around the cursor, found by reading the log in the
    /// background from the cursor back and forth (<see cref="FilterAround"/>), kept while the cursor stays within what
    /// was read.</summary>
    private void ShowFiltered()
    {
        // The start (cursor -1) is read from event 0, as FilterAround reads it: taken for a cursor before From, each
        // filter's end started the filter again, for ever.
        int point = Math.Max(_cursor, 0);
        if (_filtered is not { } f || point < f.From || point >= Math.Max(f.To, f.From + 1))
        {
            FilterAround(_cursor, _filter);
            return;
        }
        var rows = new List<string>();
        int selected = -1;
        int at = f.Matches.FindIndex(m => m.Index >= _cursor);
        if (at < 0) at = f.Matches.Count;
        for (int k = Math.Max(0, at - LogRadius); k < at; k++) rows.Add("  " + f.Matches[k].Line);
        if (_cursor >= 0)
        {
            selected = rows.Count;
            rows.Add("> " + _model.Line(_model.Events[_cursor]));
        }
        for (int k = at; k < Math.Min(f.Matches.Count, at + LogRadius); k++)
            if (f.Matches[k].Index != _cursor) rows.Add("  " + f.Matches[k].Line);
        ShowLog(rows, selected);
    }

    /// <summary>Reads the log around <paramref name="cursor"/> for the events whose line contains <paramref name="text"/>:
    /// back until <see cref="LogRadius"/> are found (or the start; <see cref="LogScanBack"/>), then on (to as many, or
    /// the end).</summary>
    private void FilterAround(int cursor, string text)
    {
        var model = _model;
        int start = Math.Max(cursor, 0);
        StartScan($"filtering '{text}'", (cancel, progress) =>
        {
            long seen = 0;
            void Read() { if (++seen % 4096 == 0) progress(seen); }
            var (from, found) = LogScanBack.LastBefore(model.Events, start, LogRadius,
                e => model.Line(e).Contains(text, StringComparison.OrdinalIgnoreCase), Read, cancel);
            var matches = found.Select(m => (m.Index, model.Line(m.Event))).ToList();
            int to = start;
            int after = 0;
            foreach (var (i, e) in model.Events.Stream(start, model.Events.Count, cancel))
            {
                to = i + 1;
                Read();
                var line = model.Line(e);
                if (line.Contains(text, StringComparison.OrdinalIgnoreCase)) { matches.Add((i, line)); if (++after > LogRadius) break; }
            }
            if (to >= model.Events.Count) to = model.Events.Count;
            return (from, to, matches);
        }, result =>
        {
            if (!ReferenceEquals(model, _model) || _filter != text) return;
            _filtered = result;
            ShowFiltered();
        });
    }

    /// <summary>Runs <paramref name="work"/> on a thread of its own (reading the log there, the UI stays live), its
    /// progress on the status line; Esc cancels it. <paramref name="done"/> runs on the UI thread.</summary>
    private void StartScan<T>(string what, Func<CancellationToken, Action<long>, T> work, Action<T> done)
    {
        var cancel = new CancellationTokenSource();
        _scanCancel = cancel;
        long total = _model.Events.Count;
        _message = $"{what}... (Esc cancels)";
        UpdateStatus();
        Scan = Task.Run(() =>
        {
            try
            {
                var result = work(cancel.Token, n => _post(() =>
                {
                    if (_scanCancel != cancel) return;
                    _message = $"{what}: {n:N0} of {total:N0} events read (Esc cancels)";
                    UpdateStatus();
                }));
                _post(() => { _scanCancel = null; done(result); });
            }
            catch (OperationCanceledException)
            {
                _post(() =>
                {
                    _scanCancel = null;
                    _message = $"{what}: cancelled";
                    UpdateStatus();
                });
            }
        });
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
    /// <summary>Searches the event log forward from the cursor (then from the start) for <paramref name="text"/> (comm,
    /// event, pid, line), reading it in the background; Esc cancels.</summary>
    public void Search(string text)
    {
        if (string.IsNullOrWhiteSpace(text) || _model.Events.Count == 0) return;
        var model = _model;
        int from = _cursor + 1;
        StartScan($"searching '{text}'", (cancel, progress) =>
        {
            long seen = 0;
            foreach (var (lo, hi) in new[] { (from, model.Events.Count), (0, from) })
                foreach (var (i, e) in model.Events.Stream(lo, hi, cancel))
                {
                    if (++seen % 65536 == 0) progress(seen);
                    if (model.Line(e).Contains(text, StringComparison.OrdinalIgnoreCase)) return i;
                }
            return -1;
        }, found =>
        {
            if (!ReferenceEquals(model, _model)) return;
            if (found < 0) { _message = $"'{text}' not found"; UpdateStatus(); return; }
            _message = $"found '{text}'";
            MoveTo(found);
        });
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

    /// <summary>The pid of the task selected in the tasks view (null: none), for tests.</summary>
    internal int? SelectedTaskPid => _tasks.SelectedItem is int row && row >= 0 && row < _taskPids.Count ? _taskPids[row] : null;

    /// <summary>Selects the task <paramref name="pid"/> in the tasks view (if listed), as the arrow keys would.</summary>
    internal void SelectTask(int pid)
    {
        if (_taskPids.IndexOf(pid) is int row and >= 0) _tasks.SelectedItem = row;
    }

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

    private void UpdateStatus()
    {
        var at = _cursor >= 0 ? TraceTime.Format(_model.Events[_cursor].TimestampNs) : "start";
        var log = _model.Events.Count == 0 ? "" : $" log: {_model.Events.Reading}";
        _status.Text = Clean($"cursor {at} ({_cursor + 1}/{_model.Events.Count}){(_model.Truncated ? " (trace truncated)" : "")}{log}{LiveWords()}  {_message ?? Keys}");
        MessageShown(_message);
        _message = null;
    }

    private static string Clean(string s) => UntrustedText.ForTerminal(s);

    /// <summary>Hooks of the live view (TraceTui.Live.cs): after each move of the cursor, its words on the status line, the
    /// message shown (kept a while as live steps redraw).</summary>
    private partial void CursorMoved();
    private partial string LiveWords();
    private partial void MessageShown(string? message);
}
