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
    /// it threw in time is thrown again here.</summary>
    public static bool Run<T>(Func<CancellationToken, T> work, TimeSpan timeout, out T? result)
    {
        var cancel = new CancellationTokenSource();
        var done = new ManualResetEventSlim();
        T? value = default;
        ExceptionDispatchInfo? failed = null;
        var thread = new Thread(() =>
        {
            try { value = work(cancel.Token); }
            catch (Exception e) { failed = ExceptionDispatchInfo.Capture(e); }
            finally { done.Set(); }
        }) { IsBackground = true, Name = "tracefx watch output" };
        thread.Start();
        if (!done.Wait(timeout))
        {
            // Not disposed: the thread still holds them, and the collector takes them once it ends.
            cancel.Cancel();
            result = default;
            return false;
        }
        done.Dispose();
        cancel.Dispose();
        failed?.Throw();
        result = value;
        return true;
    }
}
