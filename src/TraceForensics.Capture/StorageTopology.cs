using System.Runtime.InteropServices;
using System.Text;
using TraceForensics.Ingest.Formats;

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
/// <item>dm: <c>/sys/block/dm-N/dev</c>, <c>dm/name</c>, <c>slaves/*/dev</c> (Documentation/ABI/testing/sysfs-block-dm);</item>
/// <item>fs: each mounted filesystem with a block device under it, once: its device (mountinfo field 3, the
/// <c>st_dev</c> of its files), type, block size (<c>statvfs(3)</c> <c>f_bsize</c> of the mount point, fs/statfs.c
/// <c>statfs_by_dentry()</c>) and the name of its backing_dev_info: a block filesystem's <c>sb->s_bdi</c> is its disk's
/// (fs/super.c <c>setup_bdev_super()</c>), named MAJ:MIN (block/genhd.c <c>device_add_disk()</c> -> <c>bdi_register(bdi,
/// "%u:%u", ...)</c>), and <c>/sys/dev/block/MAJ:MIN/bdi</c> links to it; btrfs has its own (below);</item>
/// <item>btrfs: <c>/sys/fs/btrfs/FSID</c> (fs/btrfs/sysfs.c <c>btrfs_sysfs_add_fsid()</c>, named by the fsid as <c>%pU</c>
/// prints it, as btrfs tracepoints do), its <c>bdi</c> link (fs/btrfs/disk-io.c <c>open_ctree()</c> ->
/// <c>super_setup_bdi()</c>, named <c>btrfs-N</c>, fs/super.c) and <c>devices/*</c>, and the anonymous device of the
/// mounted filesystem (fs/super.c <c>set_anon_super()</c>: mountinfo's and mm_filemap_* events' <c>0:NN</c>).</item>
/// <item>fusedev (v3): each process with <c>/dev/fuse</c> open (a link of <c>/proc/PID/fd/</c> to it,
/// Documentation/filesystems/proc.rst), its pid and <c>/proc/PID/comm</c>: the FUSE daemons (fs/fuse/dev.c: a daemon
/// reads requests from and writes answers to that file); the device is <c>/dev/fuse</c>'s (misc 10:229).</item>
/// <item>stack (v4): each thread of those processes as <c>/proc/PID/task/TID/</c> shows it when the recording ends
/// (<see cref="ReadStacksOfFuseDevHolders"/>): its state (<c>stat</c> field 3), <c>wchan</c>, <c>syscall</c> (its first
/// field: the number of the system call it is blocked in, <c>-1</c> blocked in none, <c>running</c>) and kernel
/// <c>stack</c> (proc(5); root only): where a daemon asleep in S sleeps, which no trace event says (stack triggers fire
/// on D).</item>
/// </list>
/// Paths are escaped as mountinfo escapes them (<c>\ooo</c> octal), and so are all other control characters.</summary>
public sealed class StorageTopology
{
    public const int Version = 4;

    /// <summary>A bound loop device: its MAJ:MIN, the backing file's path (raw bytes, as sysfs printed them), and the
    /// MAJ:MIN of the filesystem the file lives on (null when it cannot be stat'ed, e.g. deleted).</summary>
    public sealed record Loop(string Dev, byte[] BackingFile, string? BackingFs)
    {
        /// <summary>The kernel's name of the loop (<c>loopN</c>): its workqueue is named the same (drivers/block/loop.c
        /// loop_configure), while its minor is N &lt;&lt; part_shift.</summary>
        public string? Name { get; init; }
    }

    /// <summary>A mount: MAJ:MIN, the mount point (raw bytes, mountinfo's escaping undone), the filesystem type.</summary>
    public sealed record Mount(string Dev, byte[] MountPoint, string FsType)
    {
        /// <summary>The mount source (mountinfo's field after the type: <c>/dev/loop0</c>), raw bytes, unescaped.</summary>
        public byte[]? Source { get; init; }
    }

    /// <summary>A mounted filesystem on block devices, once per device: its MAJ:MIN (<c>st_dev</c>), type, block size
    /// (<c>statvfs</c> <c>f_bsize</c>; null when its mount point does not show it) and backing_dev_info name (MAJ:MIN of
    /// its disk, or <c>btrfs-N</c>; null when sysfs does not say).</summary>
    public sealed record Filesystem(string Dev, string FsType, long? BlockSize, string? Bdi);

    /// <summary>A btrfs filesystem: its fsid as tracepoints print it (<c>%pU</c>), its backing_dev_info name
    /// (<c>btrfs-N</c>), the anonymous device of its mount (<c>0:NN</c>; null when not mounted) and its devices.</summary>
    public sealed record Btrfs(string Fsid, string? Bdi, string? Anon, IReadOnlyList<string> Devices);

    /// <summary>A device-mapper device: MAJ:MIN, its name, the MAJ:MIN of the devices under it, and its table as
    /// <c>dmsetup table</c> prints it (one target a line; crypt keys masked), or null without dmsetup.</summary>
    public sealed record Dm(string Dev, byte[] Name, IReadOnlyList<string> Slaves, string? Table = null);

    public List<Loop> Loops { get; } = new();
    public List<Mount> Mounts { get; } = new();
    public List<Dm> DmDevices { get; } = new();
    public List<Filesystem> Filesystems { get; } = new();
    public List<Btrfs> BtrfsFilesystems { get; } = new();

    /// <summary>A process holding /dev/fuse open: the device's MAJ:MIN, the pid, its comm (raw bytes).</summary>
    public sealed record FuseDevHolder(string Dev, int Pid, byte[] Comm);

    public List<FuseDevHolder> FuseDevHolders { get; } = new();

    /// <summary>A thread of a /dev/fuse holder as /proc showed it: the device held, the process and thread ids, the thread's
    /// comm (raw bytes), its state letter, wchan (null: none), syscall's first field (null: unreadable) and its kernel
    /// stack's frames as /proc printed them (<c>func+0x1f/0x40</c>), innermost first.</summary>
    public sealed record ThreadStack(string Dev, int Pid, int Tid, byte[] Comm, char State, string? Wchan, string? Syscall, IReadOnlyList<string> Frames);

    /// <summary>The threads of the /dev/fuse holders (<see cref="ReadStacksOfFuseDevHolders"/>), in pid and tid order.</summary>
    public List<ThreadStack> Stacks { get; } = new();

    /// <summary>What could not be read (a device that went away while being read), for the caller to say.</summary>
    public List<string> Notes { get; } = new();

    /// <summary>Reads this machine's topology. Never throws for a missing or unreadable entry: it is skipped, with a note.</summary>
    public static StorageTopology Read(string sysBlock = "/sys/block", string mountinfo = "/proc/self/mountinfo",
                                       string sysFsBtrfs = "/sys/fs/btrfs", string sysDevBlock = "/sys/dev/block", string proc = "/proc")
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
        NameBackingFsByMount(t);
        ReadBtrfs(t, sysFsBtrfs);
        ReadFilesystems(t, sysDevBlock);
        ReadFuseDevHolders(t, proc);
        return t;
    }

    /// <summary>A loop's <c>fs=</c> as the device of the mount its backing file lives under, where the file's own
    /// <c>st_dev</c> is no mount's: btrfs gives each subvolume its own anonymous device (fs/btrfs/inode.c
    /// <c>btrfs_getattr()</c>: <c>stat->dev = BTRFS_I(inode)->root->anon_dev</c>), even the top one, while mountinfo,
    /// the filemap events and the freeze name the superblock's <c>s_dev</c>. The mount is the one whose mount point is
    /// the longest prefix of the file's path (sysfs prints the path as <c>d_path()</c> does, from the root).</summary>
    private static void NameBackingFsByMount(StorageTopology t)
    {
        var mounted = t.Mounts.Select(m => m.Dev).ToHashSet(StringComparer.Ordinal);
        for (int i = 0; i < t.Loops.Count; i++)
        {
            var l = t.Loops[i];
            if (l.BackingFs is null || mounted.Contains(l.BackingFs)) continue;
            Mount? best = null;
            foreach (var m in t.Mounts)
                if (IsUnder(l.BackingFile, m.MountPoint) && (best is null || m.MountPoint.Length >= best.MountPoint.Length)) best = m;
            if (best is not null) t.Loops[i] = l with { BackingFs = best.Dev };
        }
    }

    private static bool IsUnder(byte[] path, byte[] mountPoint) =>
        path.AsSpan().StartsWith(mountPoint) && (mountPoint is [(byte)'/'] || path.Length == mountPoint.Length || path[mountPoint.Length] == (byte)'/');

    /// <summary>The btrfs filesystems of <c>/sys/fs/btrfs</c> (every entry but <c>features</c>), each with the
    /// anonymous device of the btrfs mount whose source is one of its devices.</summary>
    private static void ReadBtrfs(StorageTopology t, string sysFsBtrfs)
    {
        if (!Directory.Exists(sysFsBtrfs)) return;
        foreach (var dir in Directory.EnumerateDirectories(sysFsBtrfs).Order(StringComparer.Ordinal))
        {
            var fsid = Path.GetFileName(dir);
            if (!File.Exists(Path.Combine(dir, "sectorsize"))) continue; // "features" and anything not a filesystem
            try
            {
                var bdiLink = new FileInfo(Path.Combine(dir, "bdi")).LinkTarget;
                var devicesDir = Path.Combine(dir, "devices");
                var devices = Directory.Exists(devicesDir)
                    ? Directory.EnumerateFileSystemEntries(devicesDir).Order(StringComparer.Ordinal).Select(DevOf).ToList()
                    : [];
                string? anon = t.Mounts.FirstOrDefault(m => m.FsType == "btrfs" && m.Source is { } src && RdevOf(src) is { } rdev && devices.Contains(rdev))?.Dev;
                t.BtrfsFilesystems.Add(new Btrfs(fsid, bdiLink is null ? null : Path.GetFileName(bdiLink), anon, devices));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                t.Notes.Add($"btrfs {fsid}: {e.Message}");
            }
        }
    }

    /// <summary>One <see cref="Filesystem"/> per mounted device with a block device under it (a block major, or btrfs),
    /// in mount order. The block size is read at a mount point whose own <c>st_dev</c> is the filesystem's (one not
    /// covered by another mount); network and virtual filesystems are not stat'ed (a hung server would hang record).</summary>
    private static void ReadFilesystems(StorageTopology t, string sysDevBlock)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in t.Mounts)
        {
            var btrfs = m.FsType == "btrfs" ? t.BtrfsFilesystems.FirstOrDefault(b => b.Anon == m.Dev) : null;
            bool block = !m.Dev.StartsWith("0:", StringComparison.Ordinal);
            if (!(block || btrfs is not null) || !seen.Add(m.Dev)) continue;
            // A covered mount point shows the covering filesystem; btrfs's top subvolume has its own st_dev (above).
            long? blockSize = btrfs is not null || FsOf(m.MountPoint) == m.Dev ? BlockSizeOf(m.MountPoint) : null;
            string? bdi = btrfs is not null ? btrfs.Bdi : BlockBdi(sysDevBlock, m.Dev);
            t.Filesystems.Add(new Filesystem(m.Dev, m.FsType, blockSize, bdi));
        }
    }

    /// <summary>The processes with <c>/dev/fuse</c> open, in pid order; none when no FUSE filesystem is mounted (the
    /// mounts say), so a capture without FUSE does not walk every process's file table.</summary>
    private static void ReadFuseDevHolders(StorageTopology t, string proc)
    {
        if (!t.Mounts.Any(m => m.FsType is "fuse" or "fuseblk" || m.FsType.StartsWith("fuse.", StringComparison.Ordinal)) || !Directory.Exists(proc)) return;
        var fuse = Statx.Of(Encoding.UTF8.GetBytes("/dev/fuse")) is { } st ? $"{st.RdevMajor}:{st.RdevMinor}" : "10:229";
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories(proc))
            if (int.TryParse(Path.GetFileName(dir), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid)) pids.Add(pid);
        pids.Sort();
        foreach (var pid in pids)
        {
            try
            {
                var fdDir = Path.Combine(proc, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "fd");
                if (!Directory.EnumerateFileSystemEntries(fdDir).Any(fd => new FileInfo(fd).LinkTarget == "/dev/fuse")) continue;
                var comm = Line(ReadSysfs(Path.Combine(proc, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "comm")));
                t.FuseDevHolders.Add(new FuseDevHolder(fuse, pid, comm));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // gone, or not ours to read
        }
    }

    /// <summary>Reads, for each thread of each /dev/fuse holder, its state, wchan, syscall and kernel stack now (proc(5):
    /// <c>/proc/PID/task/TID/stat</c> field 3 after the parenthesised comm, <c>wchan</c>, <c>syscall</c>, <c>stack</c>; the
    /// last two need ptrace access, the stack CAP_SYS_ADMIN): called when a recording ends, so the topology says in which
    /// function a daemon asleep in S sleeps. A thread gone meanwhile is skipped; a file it cannot read leaves its field out.</summary>
    public void ReadStacksOfFuseDevHolders(string proc = "/proc")
    {
        Stacks.Clear();
        foreach (var h in FuseDevHolders)
        {
            var taskDir = Path.Combine(proc, h.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "task");
            List<int> tids;
            try
            {
                tids = Directory.EnumerateDirectories(taskDir)
                    .Select(d => int.TryParse(Path.GetFileName(d), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int tid) ? tid : -1)
                    .Where(tid => tid > 0).Order().ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; } // the daemon is gone
            foreach (int tid in tids)
            {
                var dir = Path.Combine(taskDir, tid.ToString(System.Globalization.CultureInfo.InvariantCulture));
                try
                {
                    // stat: "tid (comm) S ...": the state follows the last ')' (a comm may hold ')' itself).
                    var stat = Encoding.Latin1.GetString(ReadSysfs(Path.Combine(dir, "stat")));
                    int close = stat.LastIndexOf(')');
                    if (close < 0 || close + 2 >= stat.Length) continue;
                    var comm = Line(ReadSysfs(Path.Combine(dir, "comm")));
                    var wchan = OptionalText(Path.Combine(dir, "wchan")) is { } w && w != "0" && w.Length > 0 ? w : null;
                    var syscall = OptionalText(Path.Combine(dir, "syscall")) is { } sc ? sc.Split(' ')[0] : null;
                    var frames = OptionalText(Path.Combine(dir, "stack"), whole: true) is { } stack ? ProcStackFrames(stack) : [];
                    Stacks.Add(new ThreadStack(h.Dev, h.Pid, tid, comm, stat[close + 2], wchan, syscall, frames));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // the thread is gone
            }
        }
    }

    /// <summary>The frames of a /proc/PID/stack text (<c>[&lt;0&gt;] func+0x1f/0x40</c> a line, fs/proc/base.c
    /// proc_pid_stack) without their address column.</summary>
    public static List<string> ProcStackFrames(string text)
    {
        var frames = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            int close = line.IndexOf(">]", StringComparison.Ordinal);
            var frame = (close >= 0 ? line[(close + 2)..] : line).Trim();
            if (frame.Length > 0) frames.Add(frame);
        }
        return frames;
    }

    /// <summary>A /proc file's text (its first line, or all of it), or null when it cannot be read.</summary>
    private static string? OptionalText(string path, bool whole = false)
    {
        try
        {
            var text = Encoding.UTF8.GetString(ReadSysfs(path));
            return whole ? text : text.Split('\n')[0].Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>The backing_dev_info name of block device MAJ:MIN: <c>/sys/dev/block/MAJ:MIN/bdi</c>'s target, or its
    /// disk's for a partition (a partition shares its disk's bdi, block/partitions/core.c); null when sysfs has neither.</summary>
    private static string? BlockBdi(string sysDevBlock, string dev)
    {
        var link = Path.Combine(sysDevBlock, dev);
        string dir;
        try
        {
            // /sys/dev/block/MAJ:MIN links to the device's directory: the disk's is its parent's (for a partition).
            dir = new DirectoryInfo(link).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? link;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        foreach (var candidate in new[] { Path.Combine(dir, "bdi"), Path.Combine(Path.GetDirectoryName(dir) ?? dir, "bdi") })
        {
            try
            {
                if (new FileInfo(candidate).LinkTarget is { } target) return Path.GetFileName(target);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return null;
    }

    /// <summary>One line of mountinfo (<c>36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue</c>):
    /// the device (field 3), the mount point (field 5, unescaped), the filesystem type (the field after "-"); null when
    /// the line is not of that shape.</summary>
    public static Mount? ParseMountinfo(byte[] line)
    {
        var fields = Encoding.Latin1.GetString(line).Split(' ');
        int sep = Array.IndexOf(fields, "-");
        if (fields.Length < 6 || sep < 6 || sep + 1 >= fields.Length) return null;
        return new Mount(fields[2], TopologyEscaping.UnescapeBytes(Encoding.Latin1.GetBytes(fields[4])), fields[sep + 1])
        {
            Source = sep + 2 < fields.Length ? TopologyEscaping.UnescapeBytes(Encoding.Latin1.GetBytes(fields[sep + 2])) : null,
        };
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
        foreach (var f in Filesystems)
            b.Append("fs ").Append(f.Dev).Append(" type=").Append(Escape(Encoding.Latin1.GetBytes(f.FsType)))
             .Append(f.BlockSize is { } bs ? " blocksize=" + bs.ToString(System.Globalization.CultureInfo.InvariantCulture) : "")
             .Append(f.Bdi is { } bdi ? " bdi=" + Escape(Encoding.UTF8.GetBytes(bdi)) : "").Append('\n');
        foreach (var f in BtrfsFilesystems)
            b.Append("btrfs ").Append(Escape(Encoding.UTF8.GetBytes(f.Fsid)))
             .Append(f.Bdi is { } bdi ? " bdi=" + Escape(Encoding.UTF8.GetBytes(bdi)) : "")
             .Append(f.Anon is { } anon ? " anon=" + anon : "")
             .Append(" devices=").Append(string.Join(',', f.Devices)).Append('\n');
        foreach (var h in FuseDevHolders)
            b.Append("fusedev ").Append(h.Dev).Append(" pid=").Append(h.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture))
             .Append(" comm=").Append(Escape(h.Comm)).Append('\n');
        foreach (var t in Stacks)
            b.Append("stack ").Append(t.Dev).Append(" pid=").Append(t.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture))
             .Append(" tid=").Append(t.Tid.ToString(System.Globalization.CultureInfo.InvariantCulture))
             .Append(" comm=").Append(Escape(t.Comm)).Append(" state=").Append(Escape([(byte)t.State]))
             .Append(t.Wchan is { } w ? " wchan=" + Escape(Encoding.UTF8.GetBytes(w)) : "")
             .Append(t.Syscall is { } sc ? " syscall=" + Escape(Encoding.UTF8.GetBytes(sc)) : "")
             .Append(" frames=").Append(string.Join(',', t.Frames.Select(f => Escape(Encoding.UTF8.GetBytes(f)).Replace(",", "\\054", StringComparison.Ordinal))))
             .Append('\n');
        return b.ToString();
    }

    /// <summary>Bytes as topology-file text, escaped as the topology reader undoes it.</summary>
    public static string Escape(byte[] raw) => TopologyEscaping.Escape(raw);

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
    public static string? FsOf(byte[] path) => Statx.Of(path) is { } st ? $"{st.DevMajor}:{st.DevMinor}" : null;

    /// <summary>MAJ:MIN of the device special file <paramref name="path"/> names (statx's stx_rdev), or null when it is
    /// not a block device or cannot be stat'ed.</summary>
    public static string? RdevOf(byte[] path)
    {
        const ushort SIfmt = 0xF000, SIfblk = 0x6000;
        return Statx.Of(path) is { } st && (st.Mode & SIfmt) == SIfblk ? $"{st.RdevMajor}:{st.RdevMinor}" : null;
    }

    /// <summary>The block size of the filesystem at <paramref name="path"/>: <c>statvfs(3)</c>'s <c>f_bsize</c> (the first
    /// field of struct statvfs, an unsigned long), or null.</summary>
    public static long? BlockSizeOf(byte[] path)
    {
        var buffer = new byte[256]; // struct statvfs is 112 bytes on 64-bit glibc, 72 on 32-bit
        var cpath = new byte[path.Length + 1];
        path.CopyTo(cpath, 0);
        try
        {
            if (statvfs(cpath, buffer) != 0) return null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
        return IntPtr.Size == 8 ? (long)BitConverter.ToUInt64(buffer, 0) : BitConverter.ToUInt32(buffer, 0);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int statvfs(byte[] path, byte[] buffer);
}
