using System.Runtime.InteropServices;
using System.Text;

namespace TraceForensics.Cli.Output;

/// <summary>What a path is on Linux (statx(2) through <see cref="TraceForensics.Capture.Statx"/>, which follows symlinks): its file
/// type, mode bits and owner, which .NET does not expose; and chown(2) to give a replaced file its old owner back.</summary>
internal static class UnixFile
{
    public enum Kind { Missing, Regular, Directory, CharDevice, BlockDevice, Fifo, Socket, Other }

    public readonly record struct Status(Kind Kind, uint Mode, uint Uid, uint Gid);

    /// <summary>The status of what the path names (after symlinks); Missing when it does not exist or cannot be asked.</summary>
    public static Status Stat(string path)
    {
        if (TraceForensics.Capture.Statx.Of(path) is not { } st)
            return TraceForensics.Capture.Statx.Supported ? default
                : File.Exists(path) ? new Status(Kind.Regular, 0, 0, 0) : Directory.Exists(path) ? new Status(Kind.Directory, 0, 0, 0) : default;
        uint mode = st.Mode;
        // S_IFMT and its types (include/uapi/linux/stat.h).
        var kind = (mode & 0xF000) switch
        {
            0x8000 => Kind.Regular,
            0x4000 => Kind.Directory,
            0x2000 => Kind.CharDevice,
            0x6000 => Kind.BlockDevice,
            0x1000 => Kind.Fifo,
            0xC000 => Kind.Socket,
            _ => Kind.Other,
        };
        return new Status(kind, mode & 0xFFF, st.Uid, st.Gid);
    }

    /// <summary>Gives the path this owner; false when the kernel refuses (not root and not the owner).</summary>
    public static bool Chown(string path, uint uid, uint gid)
    {
        try
        {
            return chown(NulTerminated(path), uid, gid) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static byte[] NulTerminated(string path) => Encoding.UTF8.GetBytes(path + "\0");

    [DllImport("libc", SetLastError = true)]
    private static extern int chown(byte[] path, uint uid, uint gid);
}
