using System.Globalization;

namespace TraceForensics.Events.Model;

/// <summary>A device as an event names it. Mostly a <c>dev_t</c> as <c>MAJ:MIN</c> (written <c>7:0</c> or, by block
/// events, <c>7,0</c>): a block device, a filesystem's <c>s_dev</c>, or a backing_dev_info registered under its disk's
/// numbers (block/genhd.c <c>device_add_disk()</c>: <c>bdi_register(disk->bdi, "%u:%u", ...)</c>). Where the kernel
/// prints a name instead, the device is that <see cref="Name"/>: a backing_dev_info registered by name, which the
/// writeback events print (include/trace/events/writeback.h, <c>bdi_dev_name()</c>; btrfs's is <c>btrfs-1</c>, from
/// fs/super.c <c>super_setup_bdi()</c>'s <c>"%.28s-%ld"</c> of the filesystem type and a counter), or a btrfs
/// filesystem's fsid, which the btrfs events print in place of a device (include/trace/events/btrfs.h,
/// <c>TP_printk_btrfs()</c>: <c>"%pU: "</c>). A named device has no numbers (<see cref="Major"/> and <see cref="Minor"/>
/// are <see cref="NoNumber"/>, never printed: it is written as its name); which filesystem and block devices it is, only
/// a topology input says (the replay's TopologyTracker), never its spelling.</summary>
public readonly record struct DeviceNumber(int Major, int Minor) : IComparable<DeviceNumber>
{
    /// <summary><c>LOOP_MAJOR</c> (include/uapi/linux/major.h): the block major of loop devices.</summary>
    public const int LoopMajor = 7;

    /// <summary><see cref="Major"/> and <see cref="Minor"/> of a named device, which has none.</summary>
    public const int NoNumber = -1;

    /// <summary>The kernel's name of a device it names by a string (a bdi's <c>btrfs-1</c>, a btrfs fsid); null for a
    /// <c>MAJ:MIN</c> device.</summary>
    public string? Name { get; private init; }

    /// <summary>In-kernel <c>MINORBITS</c> (include/linux/kdev_t.h): a kernel <c>dev_t</c> (a u32) holds MAJOR in its top 12
    /// bits and MINOR in its low 20 (<c>MAJOR(dev) = dev &gt;&gt; MINORBITS</c>, <c>MINOR(dev) = dev &amp; MINORMASK</c>). This is
    /// the in-kernel encoding tracepoints record and print, not the user-space <c>new_encode_dev()</c> one.</summary>
    public const int KernelMinorBits = 20;

    /// <summary>A kernel <c>dev_t</c> as a tracepoint records or prints it (<c>%u</c> of <c>sb-&gt;s_dev</c>, a <c>dev</c> field)
    /// split into its numbers (include/linux/kdev_t.h <c>MAJOR()</c>/<c>MINOR()</c>); the upper 32 bits, if any, are dropped
    /// as the kernel's u32 <c>dev_t</c> has none.</summary>
    public static DeviceNumber FromKernel(long dev) =>
        new((int)((uint)dev >> KernelMinorBits), (int)((uint)dev & ((1u << KernelMinorBits) - 1)));

    /// <summary>A device the kernel names by <paramref name="name"/> (not a <c>MAJ:MIN</c>: those are numbered).</summary>
    public static DeviceNumber Named(string name) => new(NoNumber, NoNumber) { Name = name };

    /// <summary>True when the kernel named it by a string rather than a <c>dev_t</c>.</summary>
    public bool IsNamed => Name is not null;

    /// <summary>A loop device (drivers/block/loop.c), whose I/O a worker does on a backing file.</summary>
    public bool IsLoop => Name is null && Major == LoopMajor;

    public override string ToString() => Name ?? string.Create(CultureInfo.InvariantCulture, $"{Major}:{Minor}");

    /// <summary>Numbered devices by major then minor, before named ones in ordinal order of their names.</summary>
    public int CompareTo(DeviceNumber other) =>
        (Name, other.Name) switch
        {
            (null, null) => Major != other.Major ? Major.CompareTo(other.Major) : Minor.CompareTo(other.Minor),
            (null, _) => -1,
            (_, null) => 1,
            _ => string.CompareOrdinal(Name, other.Name),
        };
}
