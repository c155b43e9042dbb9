using System.Diagnostics;

namespace TraceForensics.Tests.Live;

/// <summary>An XFS filesystem (or another, by <c>fsType</c>: <c>ext4</c> with 4 KiB blocks, <c>btrfs</c>) on a loop device
/// over an image file, for the record tests (root only). Disposing unmounts it, detaches the loop device (and makes btrfs
/// forget it) and removes the image, whatever happened.</summary>
internal sealed class LoopXfs : IDisposable
{
    public string Image { get; }
    public string Mount { get; }
    public string? Device { get; private set; }
    public string FsType { get; }
    private bool _mounted;

    public LoopXfs(string image, string size, string mount, string fsType = "xfs")
    {
        Image = image;
        Mount = mount;
        FsType = fsType;
        try
        {
            Sh("truncate", "-s", size, image);
            Device = Sh("losetup", "-f", "--show", image).Trim();
            switch (fsType)
            {
                case "xfs": Sh("mkfs.xfs", "-q", "-f", Device); break;
                case "ext4": Sh("mkfs.ext4", "-q", "-F", "-b", "4096", Device); break;
                case "btrfs": Sh("mkfs.btrfs", "-q", "-f", Device); break;
                default: throw new ArgumentException($"no mkfs for {fsType}", nameof(fsType));
            }
            Directory.CreateDirectory(mount);
            Sh("mount", Device, mount);
            _mounted = true;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>major:minor of a block device node (<c>/dev/loop3</c>), from sysfs.</summary>
    public static TraceForensics.Events.Model.DeviceNumber DeviceNumberOf(string device)
    {
        var text = File.ReadAllText($"/sys/class/block/{Path.GetFileName(device)}/dev").Trim().Split(':');
        return new(int.Parse(text[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(text[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    public static string Sh(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEnd();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)}: exit {p.ExitCode}: {stderr}");
        return stdout;
    }

    public void Dispose()
    {
        if (_mounted) { try { Sh("umount", Mount); } catch (InvalidOperationException) { try { Sh("umount", "-l", Mount); } catch (InvalidOperationException) { } } }
        _mounted = false;
        if (Device is not null && FsType == "btrfs") { try { Sh("btrfs", "device", "scan", "--forget", Device); } catch (InvalidOperationException) { } }
        if (Device is not null) { try { Sh("losetup", "-d", Device); } catch (InvalidOperationException) { } }
        Device = null;
        try { File.Delete(Image); } catch (IOException) { }
        try { if (Directory.Exists(Mount)) Directory.Delete(Mount); } catch (IOException) { }
    }
}
