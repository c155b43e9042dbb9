using System.Runtime.InteropServices;
using Terminal.Gui.App;

namespace TraceForensics.Cli.Commands;

/// <summary>The terminal UI ended by a signal as <c>q</c> ends it: SIGHUP (the terminal gone, or a <c>kill -HUP</c>
/// passed on by the native tracefx) and SIGTERM ask the application to stop, so the caller's clean-up runs (the load
/// stopped, a live watch disarmed). Shared by <c>tui</c> (TuiSession.cs) and <c>tui --live</c> (TuiLive.cs).</summary>
internal sealed class TuiSignals : IDisposable
{
    private readonly List<PosixSignalRegistration> _registrations;
    private int _signal;

    public TuiSignals(IApplication app, CancellationTokenSource? cancel = null)
    {
        _registrations = new (PosixSignal Signal, int Number)[] { (PosixSignal.SIGHUP, 1), (PosixSignal.SIGTERM, 15) } // asm-generic/signal.h
            .Select(s => PosixSignalRegistration.Create(s.Signal, ctx =>
            {
                ctx.Cancel = true;
                Interlocked.CompareExchange(ref _signal, s.Number, 0);
                cancel?.Cancel();
                app.Invoke(() => app.RequestStop());
            }))
            .ToList();
    }

    /// <summary>The signal that ended the UI (0: none).</summary>
    public int Signal => Volatile.Read(ref _signal);

    /// <summary>The exit code: <paramref name="otherwise"/>, or 128 + the signal's number, as a shell reports a process a
    /// signal ended.</summary>
    public int ExitCode(int otherwise) => Signal == 0 ? otherwise : 128 + Signal;

    /// <summary>Gives the terminal back (Terminal.Gui's disposal: the alternate screen left, the modes reset), on a
    /// thread of its own, waited for at most <see cref="GiveBackWithin"/> once a signal came (before, during or after
    /// the UI's end; call it before <see cref="Dispose"/>, so that a hangup meanwhile is still seen), and at most
    /// <see cref="GiveBackAtMost"/> in any case: with the terminal gone, Terminal.Gui 2.5's input thread spins on the
    /// hung-up tty (poll says readable, read gives nothing) and the disposal waits for it for ever; the process then
    /// ends without it.</summary>
    public void DisposeApplication(IApplication app)
    {
        var disposal = new Thread(app.Dispose) { IsBackground = true, Name = "tracefx tui end" };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        TimeSpan? signalledAt = Signal == 0 ? null : TimeSpan.Zero;
        disposal.Start();
        while (!disposal.Join(TimeSpan.FromMilliseconds(50)))
        {
            if (signalledAt is null && Signal != 0) signalledAt = clock.Elapsed;
            if (signalledAt is { } at && clock.Elapsed - at > GiveBackWithin || clock.Elapsed > GiveBackAtMost) return;
        }
    }

    /// <summary>How long the terminal's giving back is waited for after a signal.</summary>
    public static readonly TimeSpan GiveBackWithin = TimeSpan.FromSeconds(2);

    /// <summary>How long it is waited for at most (it takes milliseconds on a terminal that is there).</summary>
    public static readonly TimeSpan GiveBackAtMost = TimeSpan.FromSeconds(10);

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
    }
}
