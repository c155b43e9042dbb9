using System.Collections.Concurrent;
using TraceForensics.Analysis.Findings;
using TraceForensics.Tui;
using Terminal.Gui.App;
using Terminal.Gui.Input;
using Terminal.Gui.Testing;

namespace TraceForensics.Tests.Tui;

/// <summary>The UI on Terminal.Gui's ansi driver with redirected output: keys injected, the screen read back; what
/// the background search or filter leaves for the UI thread is queued, and run by <see cref="Settled"/>.</summary>
internal sealed class HeadlessTui : IDisposable
{
    private readonly SessionToken? _token;

    public HeadlessTui(TuiModel model, int width = 0, int height = 0, Func<Finding, string>? export = null)
    {
        App = Application.Create();
        try
        {
            App.Init("ansi");
            if (width > 0) App.Driver!.SetScreenSize(width, height);
            Tui = new TraceTui(App, model, export ?? (_ => ""), OnUiThread.Enqueue);
            _token = App.Begin(Tui.Window);
        }
        catch
        {
            App.Dispose();
            throw;
        }
    }

    public IApplication App { get; }
    public TraceTui Tui { get; }
    public ConcurrentQueue<Action> OnUiThread { get; } = new();

    public string Screen()
    {
        App.LayoutAndDraw(true);
        return App.Driver!.ToString() ?? "";
    }

    /// <summary>The screen once the search or filter going on is over and what it left for the UI thread has run.</summary>
    public string Settled()
    {
        TraceTuiTests.Settle(Tui, OnUiThread);
        return Screen();
    }

    public void Key(char c) => App.InjectKey(new Key(c));
    public void Esc() => App.InjectKey(Terminal.Gui.Input.Key.Esc);
    public void CtrlC() => App.InjectKey(Terminal.Gui.Input.Key.C.WithCtrl);

    /// <summary>Types a line at a prompt and Enter.</summary>
    public void Type(string text)
    {
        foreach (char c in text) App.InjectKey(new Key(c));
        App.InjectKey(Terminal.Gui.Input.Key.Enter);
    }

    public void Dispose()
    {
        App.End(_token!);
        Tui.Window.Dispose();
        App.Dispose();
    }
}

/// <summary>A directory of its own under TMPDIR, removed with what is in it.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory().FullName;
    public void Dispose() => Directory.Delete(Path, true);
}
