using System.Text;
using TraceForensics.Capture;
using TraceForensics.Events.Model;
using TraceForensics.Ingest.Formats;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Ingest;

/// <summary>The topology file (README, "The topology file"): detected from its first line, read into typed facts and
/// events at time 0 that cite their line; unknown kinds skipped with an info, malformed lines diagnostics.</summary>
public class TopologyFormatTests
{
    internal const string Sample =
        "# tracefx topology v1\n" +
        "loop 7:2 backing_file=/mnt/tf\\040outer/inner.img fs=7:1\n" +
        "mount 7:1 /mnt/tf\\040outer xfs\n" +
        "dm 254:0 name=vg-root slaves=8:2,8:3 table=0\\0402097152\\040linear\\0408:2\\0402048\\0122097152\\040409600\\040linear\\0408:3\\0402048\n" +
        "frozen 7:1 since=boot\n" +
        "loop 7:x backing_file=/a\n" +
        "loop 7:3 fs=7:1\n" +
        "\n" +
        "mount 8:1 /\n";

    [Fact]
    public void Detected_from_its_first_line()
    {
        Assert.Equal(TraceFormat.Topology, FormatDetector.Detect(Encoding.UTF8.GetBytes(Sample)).Format);
        Assert.NotEqual(TraceFormat.Topology, FormatDetector.Detect("# tracefx topology\nloop 7:2 backing_file=/x\n"u8).Format);
        Assert.True(TraceFormatNames.TryParse("topology", out var f) && f == TraceFormat.Topology);
        Assert.Equal("topology", TraceFormat.Topology.Name());
    }

    [Fact]
    public void Facts_become_events_at_time_zero_with_their_lines()
    {
        var (session, events) = Run.Text(Sample);
        Assert.Equal(TraceFormat.Topology, session.Inputs[0].Format);
        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Equal(0, e.TimestampNs));

        var loop = Assert.Single(events, e => e.Kind == EventKind.LoopBacking);
        Assert.Equal(new DeviceNumber(7, 2), loop.Payload.Dev);
        Assert.Equal("/mnt/tf outer/inner.img", loop.Payload.Topology!.BackingFile);
        Assert.Equal(new DeviceNumber(7, 1), loop.Payload.Topology.BackingFsDev);
        Assert.Null(loop.Payload.Topology.MountPoint);
        Assert.Equal(2, loop.Source.Line);

        var mount = Assert.Single(events, e => e.Kind == EventKind.Mount);
        Assert.Equal(new DeviceNumber(7, 1), mount.Payload.Dev);
        Assert.Equal("/mnt/tf outer", mount.Payload.Topology!.MountPoint);
        Assert.Equal("xfs", mount.Payload.Topology.FsType);
        Assert.Null(mount.Payload.Topology.BackingFsDev);
        Assert.Equal(3, mount.Source.Line);

        var dm = Assert.Single(events, e => e.Kind == EventKind.DmDevice);
        Assert.Equal(new DeviceNumber(254, 0), dm.Payload.Dev);
        Assert.Equal("vg-root", dm.Payload.Topology!.DmName);
        Assert.Equal("0 2097152 linear 8:2 2048\n2097152 409600 linear 8:3 2048", dm.Payload.Topology!.DmTable);
        Assert.Equal([new DeviceNumber(8, 2), new DeviceNumber(8, 3)], dm.Payload.Topology.DmSlaves.ToArray());
        Assert.Equal(4, dm.Source.Line);

        var diagnostics = session.Tables.Diagnostics.Kept;
        var unknown = Assert.Single(diagnostics, d => d.Code == "unknown-line-kind");
        Assert.Equal(5, unknown.Line);
        Assert.Equal(TraceForensics.Ingest.Diagnostics.DiagnosticSeverity.Info, unknown.Severity);
        Assert.Contains("frozen", unknown.Message);
        var bad = diagnostics.Where(d => d.Code == "unrecognized-line").Select(d => d.Line).ToList();
        Assert.Equal([6L, 7L, 9L], bad);
        Assert.All(diagnostics, d => Assert.Equal("test", d.Path));
        Assert.DoesNotContain(diagnostics, d => d.Code == "payload-mismatch");
    }

    [Fact]
    public void A_newer_version_is_read_and_said()
    {
        var (session, events) = Run.Text("# tracefx topology v5\nloop 7:2 backing_file=/x fs=8:1 offset=4096\n");
        Assert.Equal(new DeviceNumber(8, 1), Assert.Single(events).Payload.Topology!.BackingFsDev);
        Assert.Contains(session.Tables.Diagnostics.Kept, d => d.Code == "unknown-line-kind" && d.Line == 1);
    }

    [Fact]
    public void Input_format_option_reads_a_topology_file()
    {
        var path = Run.TempFile(Sample);
        try
        {
            var (exit, stdout, _) = Run.Cli("stats", "--input-format", "topology", path);
            Assert.Equal(0, exit);
            Assert.Contains("topology", stdout);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Paths_with_spaces_and_control_characters_survive_the_round_trip()
    {
        byte[] odd = [.. "/mnt/a b\tc\nd\\e\u0001f/é/"u8, 0xff, .. "x.img"u8];
        var topology = new StorageTopology();
        topology.Loops.Add(new StorageTopology.Loop("7:2", odd, "7:1"));
        topology.Mounts.Add(new StorageTopology.Mount("7:1", "/mnt/a b\tc"u8.ToArray(), "xfs"));
        topology.DmDevices.Add(new StorageTopology.Dm("254:0", "vg root"u8.ToArray(), ["8:2"]));
        var text = topology.Format();
        Assert.StartsWith("# tracefx topology v4\n", text);
        Assert.Equal(4, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // no byte broke a line
        Assert.Contains("backing_file=/mnt/a\\040b\\011c\\012d\\134e\\001f/é/\\377x.img fs=7:1", text);
        Assert.Contains("mount 7:1 /mnt/a\\040b\\011c xfs", text);

        var (session, events) = Run.Text(text);
        Assert.Empty(session.Tables.Diagnostics.Kept);
        Assert.Equal("/mnt/a b\tc\nd\\e\u0001f/é/\uFFFDx.img", events.Single(e => e.Kind == EventKind.LoopBacking).Payload.Topology!.BackingFile);
        Assert.Equal("/mnt/a b\tc", events.Single(e => e.Kind == EventKind.Mount).Payload.Topology!.MountPoint);
        Assert.Equal("vg root", events.Single(e => e.Kind == EventKind.DmDevice).Payload.Topology!.DmName);
    }

    [Fact]
    public void Mountinfo_lines_give_device_mount_point_and_type()
    {
        var m = StorageTopology.ParseMountinfo("36 35 7:1 / /mnt/tf\\040outer rw,relatime shared:1 master:2 - xfs /dev/loop1 rw,attr2"u8.ToArray());
        Assert.NotNull(m);
        Assert.Equal("7:1", m.Dev);
        Assert.Equal("/mnt/tf outer"u8.ToArray(), m.MountPoint);
        Assert.Equal("xfs", m.FsType);
        Assert.Null(StorageTopology.ParseMountinfo("garbage"u8.ToArray()));
    }

    [Fact]
    public void This_machine_s_topology_is_read_without_failing()
    {
        var topology = StorageTopology.Read();
        Assert.NotEmpty(topology.Mounts); // every Linux machine has its root mounted
        var (session, events) = Run.Text(topology.Format());
        Assert.DoesNotContain(session.Tables.Diagnostics.Kept, d => d.Severity != TraceForensics.Ingest.Diagnostics.DiagnosticSeverity.Info);
        Assert.Equal(topology.Loops.Count + topology.Mounts.Count + topology.DmDevices.Count + topology.Filesystems.Count + topology.BtrfsFilesystems.Count, events.Count);
        Assert.Contains(topology.Filesystems, f => f.Bdi is not null && f.BlockSize > 0); // the root filesystem, on a disk
    }

    [Fact]
    public void A_dm_crypt_key_never_reaches_the_topology_file()
    {
        var table = "0 2097152 crypt aes-xts-plain64 6b1b7c0ffee0c0de6b1b7c0ffee0c0de 0 8:2 4096\n2097152 8 linear 8:3 0\n";
        Assert.Equal("0 2097152 crypt aes-xts-plain64 - 0 8:2 4096\n2097152 8 linear 8:3 0", TraceForensics.Capture.StorageTopology.MaskCryptKeys(table));
    }
}
