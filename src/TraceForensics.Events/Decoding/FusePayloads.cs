using TraceForensics.Events.Model;
using static TraceForensics.Events.Decoding.PayloadFields;

namespace TraceForensics.Events.Decoding;

/// <summary>The payloads of fs/fuse/fuse_trace.h: <c>connection 62 req 12 opcode 16 (FUSE_WRITE) len 4176 </c>
/// (send) and <c>connection 62 req 12 len 80 error 0</c> (end).</summary>
internal static class FusePayloads
{
    /// <summary>Connection is <c>fc->dev</c>, the superblock's <c>s_dev</c> (fs/fuse/inode.c fuse_fill_super_common:
    /// <c>fc->dev = sb->s_dev</c>), an anonymous device printed as a kernel dev_t (%u): 0:NN for NN below 2^20.</summary>
    public static bool Request(ReadOnlySpan<byte> payload, ref EventPayload p)
    {
        if (Decimal(payload, "connection "u8) is not long conn || conn < 0 || conn > uint.MaxValue) return false;
        p.Dev = DeviceNumber.FromKernel(conn);
        p.Count = Decimal(payload, "req "u8);
        return p.Count is not null;
    }
}
