namespace TraceForensics.Tui;

/// <summary>The keys line of the status bar, also printed by <c>tracefx tui --help</c>. A file of its own, with no
/// Terminal.Gui in it, so the native-compiled command line (which leaves the TUI to its managed companion) can
/// compile it in and print the same help.</summary>
public static class TuiKeys
{
    public const string Line = "n/p step  [/] 10ms  g time  t/T task  c cycle  G end  H hang  z/Z zoom  / search  f filter  Esc cancel  v view  e export  ? help  q quit";
}
