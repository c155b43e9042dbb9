using TraceForensics.Events.Model;

namespace TraceForensics.Replay.Pages;

/// <summary>A page-cache page by its identity: device, inode, page index. Written <c>7:0:131:100</c> in node ids.</summary>
public readonly record struct PageKey(DeviceNumber Dev, ulong Ino, long Index)
{
    public override string ToString() => $"{Dev}:{Ino}:{Index}";
}
