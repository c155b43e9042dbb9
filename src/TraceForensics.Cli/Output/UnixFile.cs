using System.Runtime.InteropServices;
using System.Text;

namespace TraceForensics.Cli.Output;

/// <summary>What a path is on Linux (statx(2), which follows symlinks): its file type, mode bits and owner, which
/// .NET does not expose; and chown(2) to give a replaced file its old owner back.</summary>
internal static class UnixFile
{
    public enum Kind { Missing, Regular, Directory, CharDevice, BlockDevice, Fifo, Socket, Other }

    public readonly record struct Status(Kind Kind, uint Mode, uint Uid, uint Gid);

    /// <summary>The status of what the path names (after symlinks); Missing when it does not exist or cannot be asked.</summary>
    public static Status Stat(string path)
    {
        var buffer = new byte[256];
        try
        {
            if (statx(AtFdCwd, NulTerminated(path), 0, StatxBasicStats, buffer) != 0) return default;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return File.Exists(path) ? new Status(Kind.Regular, 0, 0, 0) : Directory.Exists(path) ? new Status(Kind.Directory, 0, 0, 0) : default;
        }
        uint uid = BitConverter.ToUInt32(buffer, StxUid);
        uint gid = BitConverter.ToUInt32(buffer, StxGid);
        uint mode = BitConverter.ToUInt16(buffer, StxMode);
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
        return new Status(kind, mode & 0xFFF, uid, gid);
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

    private const int AtFdCwd = -100;
    private const uint StatxBasicStats = 0x7ff;
    // Offsets in struct statx (include/uapi/linux/stat.h): __u32 mask, __u32 blksize, __u64 attributes, __u32 nlink,
    // __u32 uid, __u32 gid, __u16 mode.
    private const int StxUid = 20;
    private const int StxGid = 24;
    private const int StxMode = 28;

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, byte[] path, int flags, uint mask, byte[] buffer);

    [DllImport("libc", SetLastError = true)]
    private static extern int chown(byte[] path, uint uid, uint gid);
}
