using System.Runtime.InteropServices;
using System.Text;

namespace TraceForensics.Cli.Watch;

/// <summary>Puts a directory's new contents in place at once: renameat2(2) with RENAME_EXCHANGE swaps two paths in one
/// step (include/uapi/linux/fs.h RENAME_EXCHANGE (1 &lt;&lt; 1); Linux 3.15, glibc 2.28), so a reader of the directory
/// sees all the old files or all the new ones, never some of each. Where the filesystem does not support it, the old
/// directory is moved aside and the new one renamed in its place (the path is missing between the two renames).</summary>
internal static class DirectorySwap
{
    private const int AtFdCwd = -100; // include/uapi/linux/fcntl.h AT_FDCWD
    private const uint RenameExchange = 2;

    [DllImport("libc", SetLastError = true)]
    private static extern int renameat2(int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath, uint flags);

    private static byte[] C(string path) => Encoding.UTF8.GetBytes(path + "\0");

    /// <summary>Gives <paramref name="dir"/> the contents of <paramref name="replacement"/> (a sibling on the same
    /// filesystem) and removes the old contents.</summary>
    public static void Replace(string dir, string replacement)
    {
        if (renameat2(AtFdCwd, C(replacement), AtFdCwd, C(dir), RenameExchange) == 0)
        {
            Directory.Delete(replacement, recursive: true); // the old contents, now under the replacement's name
            return;
        }
        var aside = replacement + ".old";
        Directory.Move(dir, aside);
        Directory.Move(replacement, dir);
        Directory.Delete(aside, recursive: true);
    }
}
