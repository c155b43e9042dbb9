using System.Globalization;
using TraceForensics.Replay.Pages;

namespace TraceForensics.Analysis.Graph;

/// <summary>The one place node ids of the findings contract (design/contracts.md) are made: <c>task:PID</c> (a later
/// life of a reused pid: <c>task:PID#N</c>), <c>pagelock:DEV:INO:INDEX</c>, <c>writeback:DEV:INO:INDEX</c>,
/// <c>bio:DEV:SECTOR</c>, <c>bios:DEV:in-flight</c>, <c>device:DEV</c>, <c>fuse:DEV</c>, <c>lock:ADDR-or-NAME</c> (a held-locks entry's lock: <c>lock:CLASS@0xADDR</c>), <c>freeze:DEV</c>, <c>class:page-lock</c>.
/// Writers call it; nothing else builds or parses ids.</summary>
public static class NodeId
{
    public static string Format(WaitNode node) => node switch
    {
        TaskNode t => t.Generation == 0 ? $"task:{I(t.Pid)}" : $"task:{I(t.Pid)}#{I(t.Generation)}",
        PageLockNode { Page: { } p } => $"pagelock:{Page(p)}",
        PageLockNode n => $"pagelock:unknown-for-{I(n.UnnamedForPid)}",
        WritebackNode { Page: { } p } => $"writeback:{Page(p)}",
        WritebackNode n => $"writeback:unknown-for-{I(n.UnnamedForPid)}",
        BioNode { Sector: ulong s } b => $"bio:{b.Dev}:{s.ToString(CultureInfo.InvariantCulture)}",
        BioNode b => $"bio:{b.Dev}:unsubmitted-by-{I(b.BuilderPid)}",
        DeviceNode d => $"device:{d.Dev}",
        FuseConnectionNode f => $"fuse:{f.Dev}",
        StalledBiosNode b => $"bios:{b.Dev}:in-flight",
        KernelLockNode { Address: ulong a } l => $"lock:{l.Name}@0x{a:x}",
        KernelLockNode l => $"lock:{l.Name}",
        OwnerNotFoundNode o => $"lock:{o.KindName}-owner-not-found",
        FrozenFsNode { Dev: { } d } => $"freeze:{d}",
        FrozenFsNode { UnnamedForPid: > 0 } f => $"freeze:unknown-for-{I(f.UnnamedForPid)}",
        FrozenFsNode => "freeze:unknown",
        WaitClassNode { Class: WaitClass.PageLock } => "class:page-lock",
        WaitClassNode => "class:page-writeback",
        ManagedLockNode m => $"lock:{m.Type}@0x{m.Address:x}",
        ManagedWaitNode w => $"lock:{w.What} (owner unknown)",
        _ => throw new ArgumentOutOfRangeException(nameof(node), node.GetType().Name),
    };

    /// <summary><c>DEV:INO:INDEX</c> of a page, as in <c>pagelock:</c> and <c>writeback:</c> ids.</summary>
    private static string Page(PageKey p) =>
        $"{p.Dev}:{p.Ino.ToString(CultureInfo.InvariantCulture)}:{p.Index.ToString(CultureInfo.InvariantCulture)}";

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
}
