using TraceForensics.Capture;
using TraceForensics.Events.Model;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Events;

/// <summary>fs/fuse/fuse_trace.h payloads, on lines of sample-traces/fuse-block.ftrace.txt.gz: the connection is a kernel
/// dev_t (MAJOR in the top 12 bits, MINOR in the low 20), the anonymous device of the FUSE superblock.</summary>
public class FusePayloadTests
{
    [Fact]
    public void Request_send_names_the_connection_device_and_the_unique_id()
    {
        var e = Run.OneEvent("dd-21806 [001] 6094.414593706: fuse_request_send: connection 40 req 14 opcode 16 (FUSE_WRITE) len 262224",
            EventKind.FuseRequestSend);
        Assert.Equal("0:40", e.Payload.Dev?.ToString());
        Assert.Equal(14, e.Payload.Count);
    }

    [Fact]
    public void Request_end_of_a_connection_past_the_minor_bits()
    {
        // 1048581 = (1 << 20) | 5: major 1, minor 5.
        var e = Run.OneEvent("stallfs-21781 [000] 6094.300000000: fuse_request_end: connection 1048581 req 8 len 32 error 0", EventKind.FuseRequestEnd);
        Assert.Equal("1:5", e.Payload.Dev?.ToString());
        Assert.Equal(8, e.Payload.Count);
    }

    [Fact]
    public void A_dev_fuse_holder_survives_the_topology_round_trip()
    {
        var topology = new StorageTopology();
        topology.Mounts.Add(new StorageTopology.Mount("0:40", "/mnt/f"u8.ToArray(), "fuse.stallfs"));
        topology.FuseDevHolders.Add(new StorageTopology.FuseDevHolder("10:229", 21781, "stall fs\n"u8.ToArray()));
        var text = topology.Format();
        Assert.Contains("fusedev 10:229 pid=21781 comm=stall\\040fs\\012\n", text);
        var (session, events) = Run.Text(text);
        Assert.Empty(session.Tables.Diagnostics.Kept);
        var holder = Assert.Single(events, e => e.Kind == EventKind.FuseDevHolder);
        Assert.Equal(21781, holder.Payload.OtherPid);
        Assert.Equal("stall fs\n", holder.Payload.OtherComm);
        Assert.Equal(new DeviceNumber(10, 229), holder.Payload.Dev);
    }

    [Theory]
    [InlineData("fusedev 10:229 comm=stallfs")]
    [InlineData("fusedev 10:229 pid=-3 comm=stallfs")]
    [InlineData("fusedev 10:229 pid=x")]
    public void A_dev_fuse_holder_without_a_pid_is_a_diagnostic(string line)
    {
        var (session, events) = Run.Text($"# tracefx topology v3\n{line}\n");
        Assert.DoesNotContain(events, e => e.Kind == EventKind.FuseDevHolder);
        Assert.Contains(session.Tables.Diagnostics.Kept, d => d.Line == 2);
    }
}
