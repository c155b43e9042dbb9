using System.Runtime.ExceptionServices;

namespace TraceForensics.Cli.Watch;

/// <summary>File-system work that may sleep for ever, done on a thread of its own and waited for a bounded time: a write
/// to a frozen filesystem sleeps in <c>sb_start_write()</c> (fs/super.c, include/linux/fs.h) until the thaw,
/// uninterruptibly, and so does one to a filesystem whose device stopped completing I/O; the watcher must go on. When
/// the time is up, the work's token is cancelled and it is left to finish alone: it is to look at the token after each
/// step and undo what it made once cancelled.</summary>
internal static class BoundedIo
{
    /// <summary>Runs <paramref name="work"/>; false when it did not end within <paramref name="timeout"/>. An exception
    /// it threw in time is thrown again here. When the work ends after the time was up, with a result nobody takes
    /// (it saw no cancellation: it ended just then), <paramref name="abandoned"/> is given that result to undo (a lock
    /// taken, a file opened).</summary>
    public static bool Run<T>(Func<CancellationToken, T> work, TimeSpan timeout, out T? result, Action<T>? abandoned = null)
    {
        const int Running = 0, Ended = 1, GivenUp = 2;
        int state = Running;
        var cancel = new CancellationTokenSource();
        var done = new ManualResetEventSlim();
        T? value = default;
        ExceptionDispatchInfo? failed = null;
        var thread = new Thread(() =>
        {
            try
            {
                value = work(cancel.Token);
                if (Interlocked.CompareExchange(ref state, Ended, Running) == GivenUp && value is not null) abandoned?.Invoke(value);
            }
            catch (Exception e) { failed = ExceptionDispatchInfo.Capture(e); }
            finally { done.Set(); }
        }) { IsBackground = true, Name = "tracefx watch output" };
        thread.Start();
        // Given up only when the work has not ended by then: one that ended at the last moment is taken.
        if (!done.Wait(timeout) && Interlocked.CompareExchange(ref state, GivenUp, Running) == Running)
        {
            // Not disposed: the thread still holds them, and the collector takes them once it ends.
            cancel.Cancel();
            result = default;
            return false;
        }
        done.Wait();
        done.Dispose();
        cancel.Dispose();
        failed?.Throw();
        result = value;
        return true;
    }
}
