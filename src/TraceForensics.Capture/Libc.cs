using System.Runtime.InteropServices;

namespace TraceForensics.Capture;

/// <summary>The few libc calls the capture makes itself, where .NET's streams do not fit: non-blocking reads of
/// tracefs's <c>trace_pipe_raw</c> and of <c>/dev/kmsg</c> (one record per read), with their flags and error numbers.</summary>
internal static class Libc
{
    // include/uapi/asm-generic/fcntl.h: O_NONBLOCK 00004000, O_CLOEXEC 02000000 (octal). O_CLOEXEC on every descriptor
    // opened here: a command started while the capture reads (record's workload, watch's --exec) must not inherit it;
    // an inherited trace_pipe_raw keeps the instance busy (tr->trace_ref; kernel/trace/trace.c __remove_instance answers
    // EBUSY) for as long as that command lives.
    public const int ORdOnly = 0, ONonBlock = 0x800, OCloExec = 0x80000;
    public const int SeekEnd = 2;
    // include/uapi/asm-generic/errno-base.h
    public const int EAgain = 11, EIntr = 4, EPipe = 32;

    [DllImport("libc", SetLastError = true)]
    public static extern int open(byte[] path, int flags);

    [DllImport("libc", SetLastError = true)]
    public static extern nint read(int fd, byte[] buffer, nint count);

    [DllImport("libc", SetLastError = true)]
    public static extern long lseek(int fd, long offset, int whence);

    [DllImport("libc", SetLastError = true)]
    public static extern int close(int fd);
}
