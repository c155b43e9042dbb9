using System.Runtime.InteropServices;
using System.Text;

namespace TraceForensics.Capture;

/// <summary>This machine's storage topology, read for <c>tracefx record</c> and written as a topology file (README, "The
/// topology file"; version <see cref="Version"/>): bound loop devices with their backing file and the device of the
/// filesystem that file lives on, the mounts, the device-mapper devices. Sources:
/// <list type="bullet">
/// <item>loop: <c>/sys/block/loopN/dev</c> and <c>/sys/block/loopN/loop/backing_file</c> (drivers/block/loop.c,
/// <c>loop_attr_backing_file_show()</c>; Documentation/ABI/stable/sysfs-block), the file's filesystem from
/// <c>statx(2)</c>'s <c>stx_dev_major</c>/<c>stx_dev_minor</c>, the device mountinfo shows for that filesystem;</item>
/// <item>mounts: <c>/proc/self/mountinfo</c> (Documentation/filesystems/proc.rst, "/proc/&lt;pid&gt;/mountinfo": field 3
/// is major:minor, field 5 the mount point, the filesystem type follows the " - " separator);</item>
/// <item>dm: <c>/sys/block/dm-N/dev</c>, <c>dm/name</c>, <c>slaves/*/dev</c> (Documentation/ABI/testing/sysfs-block-dm).</item>
/// </list>
/// Paths are escaped as mountinfo escapes them (<c>\ooo</c> octal), and so are all other control characters.</summary>
public sealed class StorageTopology
{
    public const int Version = 1;

    /// <summary>A bound loop device: its MAJ:MIN, the backing file's path (raw bytes, as sysfs printed them), and the
    /// MAJ:MIN of the filesystem the file lives on (null when it cannot be stat'ed, e.g. deleted).</summary>
    public sealed record Loop(string Dev, byte[] BackingFile, string? BackingFs)
    {
        /// <summary>The kernel's name of the loop (<c>loopN</c>): its workqueue is named the same (drivers/block/loop.c
        /// loop_configure), while its minor is N &lt;&lt; part_shift.</summary>
        public string? Name { get; init; }
    }

    /// <summary>A mount: MAJ:MIN, the mount point (raw bytes, mountinfo's escaping undone), the filesystem type.</summary>
    public sealed record Mount(string Dev, byte[] MountPoint, string FsType);

    /// <summary>A device-mapper device: MAJ:MIN, its name, the MAJ:MIN of the devices under it, and its table as
    /// <c>dmsetup table</c> prints it (one target a line; crypt keys masked), or null without dmsetup.</summary>
    public sealed record Dm(string Dev, byte[] Name, IReadOnlyList<string> Slaves, string? Table = null);

    public List<Loop> Loops { get; } = new();
    public List<Mount> Mounts { get; } = new();
    public List<Dm> DmDevices { get; } = new();

    /// <summary>What could not be read (a device that went away while being read), for the caller to say.</summary>
    public List<string> Notes { get; } = new();

    /// <summary>Reads this machine's topology. Never throws for a missing or unreadable entry: it is skipped, with a note.</summary>
    public static StorageTopology Read(string sysBlock = "/sys/block", string mountinfo = "/proc/self/mountinfo")
    {
        var t = new StorageTopology();
        if (Directory.Exists(sysBlock))
            foreach (var dir in Directory.EnumerateDirectories(sysBlock).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(dir);
                try
                {
                    if (name.StartsWith("loop", StringComparison.Ordinal) && File.Exists(Path.Combine(dir, "loop", "backing_file")))
                    {
                        var file = Line(ReadSysfs(Path.Combine(dir, "loop", "backing_file")));
                        t.Loops.Add(new Loop(DevOf(dir), file, FsOf(file)) { Name = name });
                    }
                    else if (name.StartsWith("dm-", StringComparison.Ordinal) && File.Exists(Path.Combine(dir, "dm", "name")))
                    {
                        var slavesDir = Path.Combine(dir, "slaves");
                        var slaves = Directory.Exists(slavesDir)
                            ? Directory.EnumerateDirectories(slavesDir).Order(StringComparer.Ordinal).Select(DevOf).ToList()
                            : [];
                        var dev = DevOf(dir);
                        t.DmDevices.Add(new Dm(dev, Line(ReadSysfs(Path.Combine(dir, "dm", "name"))), slaves, DmTable(dev)));
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    t.Notes.Add($"{name}: {e.Message}");
                }
            }
        try
        {
            var all = ReadSysfs(mountinfo);
            int start = 0;
            while (start < all.Length)
            {
                int nl = Array.IndexOf(all, (byte)'\n', start);
                int end = nl < 0 ? all.Length : nl;
                if (ParseMountinfo(all[start..end]) is { } m) t.Mounts.Add(m);
                start = end + 1;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            t.Notes.Add($"{mountinfo}: {e.Message}");
        }
        return t;
    }

    /// <summary>One line of mountinfo (<c>36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue</c>):
    /// the device (field 3), the mount point (field 5, unescaped), the filesystem type (the field after "-"); null when
    /// the line is not of that shape.</summary>
    public static Mount? ParseMountinfo(byte[] line)
    {
        var fields = Encoding.Latin1.GetString(line).Split(' ');
        int sep = Array.IndexOf(fields, "-");
        if (fields.Length < 6 || sep < 6 || sep + 1 >= fields.Length) return null;
        return new Mount(fields[2], UnescapeOctal(Encoding.Latin1.GetBytes(fields[4])), fields[sep + 1]);
    }

    /// <summary>The table of a device-mapper device by <c>dmsetup table -j MAJ -m MIN</c> (the kernel's DM_TABLE_STATUS,
    /// drivers/md/dm-ioctl.c; targets as "start length type args"), with the key of a crypt target (its second
    /// argument, drivers/md/dm-crypt.c crypt_ctr) replaced by "-"; null when dmsetup is absent or fails.</summary>
    private static string? DmTable(string dev)
    {
        var dmsetup = new[] { "/usr/sbin/dmsetup", "/sbin/dmsetup" }.FirstOrDefault(File.Exists);
        if (dmsetup is null) return null;
        var parts = dev.Split(':');
        try
        {
            var psi = new System.Diagnostics.ProcessStartInfo(dmsetup) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "table", "-j", parts[0], "-m", parts[1] }) psi.ArgumentList.Add(a);
            using var p = System.Diagnostics.Process.Start(psi);
            if (p is null) return null;
            var text = p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            if (!p.WaitForExit(5000) || p.ExitCode != 0) return null;
            return MaskCryptKeys(text);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return null;
        }
    }

    /// <summary>A dm table with each crypt target's key ("start length crypt cipher KEY ...") written as "-": a topology
    /// file is attached to bug reports.</summary>
    public static string MaskCryptKeys(string table) => string.Join('\n', table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l =>
    {
        var f = l.Split(' ');
        if (f.Length > 4 && f[2] == "crypt") f[4] = "-";
        return string.Join(' ', f);
    }));

    /// <summary>The topology file's text: the version line, then one fact per line (loops, mounts, dm devices).</summary>
    public string Format()
    {
        var b = new StringBuilder();
        b.Append("# tracefx topology v").Append(Version).Append('\n');
        foreach (var l in Loops)
            b.Append("loop ").Append(l.Dev).Append(" backing_file=").Append(Escape(l.BackingFile))
             .Append(l.BackingFs is { } fs ? " fs=" + fs : "").Append(l.Name is { } n ? " name=" + Escape(Encoding.UTF8.GetBytes(n)) : "").Append('\n');
        foreach (var m in Mounts)
            b.Append("mount ").Append(m.Dev).Append(' ').Append(Escape(m.MountPoint)).Append(' ')
             .Append(Escape(Encoding.Latin1.GetBytes(m.FsType))).Append('\n');
        foreach (var d in DmDevices)
            b.Append("dm ").Append(d.Dev).Append(" name=").Append(Escape(d.Name)).Append(" slaves=")
             .Append(string.Join(',', d.Slaves)).Append(d.Table is { } table ? " table=" + Escape(Encoding.UTF8.GetBytes(table)) : "").Append('\n');
        return b.ToString();
    }

    /// <summary>Bytes as topology-file text: space, backslash, DEL, every control character and every byte that is not
    /// part of valid UTF-8 as <c>\ooo</c> (the escaping mountinfo uses for space, tab, newline and backslash, extended so
    /// that no byte can break a line or a field, and none is lost to a text encoding); valid UTF-8 as it is.</summary>
    public static string Escape(byte[] raw)
    {
        var escaped = new List<byte>(raw.Length);
        for (int i = 0; i < raw.Length; i++)
        {
            byte c = raw[i];
            if (c >= 0x80 && System.Text.Rune.DecodeFromUtf8(raw.AsSpan(i), out _, out int length) == System.Buffers.OperationStatus.Done)
            {
                escaped.AddRange(raw.AsSpan(i, length));
                i += length - 1;
            }
            else if (c <= (byte)' ' || c == (byte)'\\' || c >= 0x7f)
            {
                escaped.Add((byte)'\\');
                escaped.Add((byte)('0' + ((c >> 6) & 7)));
                escaped.Add((byte)('0' + ((c >> 3) & 7)));
                escaped.Add((byte)('0' + (c & 7)));
            }
            else escaped.Add(c);
        }
        return Encoding.UTF8.GetString([.. escaped]);
    }

    /// <summary>Undoes mountinfo's <c>\ooo</c> escaping.</summary>
    private static byte[] UnescapeOctal(byte[] s)
    {
        var o = new List<byte>(s.Length);
        for (int i = 0; i < s.Length; i++)
            if (s[i] == (byte)'\\' && IsOctal(s, i + 1))
            {
                o.Add((byte)(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0')));
                i += 3;
            }
            else o.Add(s[i]);
        return [.. o];
    }

    private static bool IsOctal(byte[] s, int at) =>
        at + 2 < s.Length && s[at] is >= (byte)'0' and <= (byte)'3' && s[at + 1] is >= (byte)'0' and <= (byte)'7' && s[at + 2] is >= (byte)'0' and <= (byte)'7';

    /// <summary>A sysfs or procfs file's bytes. Their size is not what stat says (4096, or 0), so they are read to the
    /// end rather than by length.</summary>
    private static byte[] ReadSysfs(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.None);
        using var m = new MemoryStream();
        f.CopyTo(m);
        return m.ToArray();
    }

    /// <summary>A sysfs value without its trailing newline.</summary>
    private static byte[] Line(byte[] value) => value.Length > 0 && value[^1] == (byte)'\n' ? value[..^1] : value;

    /// <summary>MAJ:MIN of a /sys/block (or slaves/) entry, from its <c>dev</c> file.</summary>
    private static string DevOf(string dir) => Encoding.ASCII.GetString(Line(ReadSysfs(Path.Combine(dir, "dev")))).Trim();

    /// <summary>MAJ:MIN of the filesystem <paramref name="path"/> lives on (statx's stx_dev), or null.</summary>
    public static string? FsOf(byte[] path)
    {
        var buffer = new byte[256]; // struct statx (include/uapi/linux/stat.h) is 256 bytes on every architecture
        var cpath = new byte[path.Length + 1];
        path.CopyTo(cpath, 0);
        try
        {
            if (statx(AtFdCwd, cpath, 0, StatxBasicStats, buffer) != 0) return null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
        uint major = BitConverter.ToUInt32(buffer, StxDevMajor), minor = BitConverter.ToUInt32(buffer, StxDevMajor + 4);
        return $"{major}:{minor}";
    }

    private const int AtFdCwd = -100;
    private const uint StatxBasicStats = 0x7ff;
    /// <summary>Offset of <c>stx_dev_major</c> in struct statx (include/uapi/linux/stat.h): after mask, blksize, attributes,
    /// nlink, uid, gid, mode (+pad), ino, size, blocks, attributes_mask, four statx_timestamps, rdev_major and rdev_minor.</summary>
    private const int StxDevMajor = 136;

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, byte[] path, int flags, uint mask, byte[] buffer);
}
