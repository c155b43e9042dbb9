using System.Runtime.InteropServices;

namespace TraceForensics.Capture;

/// <summary>statx(2) of a path (following symlinks): the fields of struct statx (include/uapi/linux/stat.h, 256 bytes
/// on every architecture) that tracefx asks for: mode with file type, owner, the device of the filesystem the path
/// lives on (stx_dev) and the device a device special file names (stx_rdev). The one call both the storage topology and
/// the command line's output path use.</summary>
public readonly record struct Statx(ushort Mode, uint Uid, uint Gid, uint RdevMajor, uint RdevMinor, uint DevMajor, uint DevMinor)
{
    /// <summary>False where libc has no statx (not Linux): callers fall back to what .NET can say.</summary>
    public static bool Supported { get; private set; } = true;

    /// <summary>The status of what the path names (raw bytes, no terminating NUL), or null when it cannot be stat'ed.</summary>
    public static Statx? Of(ReadOnlySpan<byte> path)
    {
        var buffer = new byte[256];
        var cpath = new byte[path.Length + 1];
        path.CopyTo(cpath);
        try
        {
            if (statx(AtFdCwd, cpath, 0, StatxBasicStats, buffer) != 0) return null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            Supported = false;
            return null;
        }
        return new Statx(BitConverter.ToUInt16(buffer, StxMode), BitConverter.ToUInt32(buffer, StxUid), BitConverter.ToUInt32(buffer, StxGid),
            BitConverter.ToUInt32(buffer, StxRdevMajor), BitConverter.ToUInt32(buffer, StxRdevMajor + 4),
            BitConverter.ToUInt32(buffer, StxDevMajor), BitConverter.ToUInt32(buffer, StxDevMajor + 4));
    }

    /// <summary>The status of what a path string names (UTF-8), or null.</summary>
    public static Statx? Of(string path) => Of(System.Text.Encoding.UTF8.GetBytes(path));

    private const int AtFdCwd = -100;
    private const uint StatxBasicStats = 0x7ff;
    // Offsets in struct statx: __u32 mask, __u32 blksize, __u64 attributes, __u32 nlink, __u32 uid, __u32 gid, __u16 mode
    // (+pad), __u64 ino, size, blocks, attributes_mask, four struct statx_timestamp (16 bytes each), then rdev_major,
    // rdev_minor, dev_major, dev_minor.
    private const int StxUid = 20;
    private const int StxGid = 24;
    private const int StxMode = 28;
    private const int StxRdevMajor = 128;
    private const int StxDevMajor = 136;

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, byte[] path, int flags, uint mask, byte[] buffer);
}
