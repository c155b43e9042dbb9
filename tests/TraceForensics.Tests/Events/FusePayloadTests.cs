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
}
