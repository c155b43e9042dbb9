using TraceForensics.Events.Model;
using TraceForensics.Replay.Bios;
using TraceForensics.Replay.Pages;

namespace TraceForensics.Analysis.Graph;

/// <summary>Node ids of the findings contract.</summary>
public static class NodeIds
{
    public static string Task(int pid) => $"task:{pid}";
    public static string PageLock(PageKey p) => $"pagelock:{p}";
    public static string Writeback(PageKey p) => $"writeback:{p}";
    public static string Bio(IoendRecord io) => io.SectorKnown
        ? $"bio:{io.Dev.Major}:{io.Dev.Minor}:{io.StartSector}"
        : $"bio:{io.Dev.Major}:{io.Dev.Minor}:unsubmitted-by-{io.BuilderPid}";
    public static string Device(DeviceNumber d) => $"device:{d.Major}:{d.Minor}";
    public static string Lock(string addressOrName) => $"lock:{addressOrName}";
    public static string Freeze(DeviceNumber? d) => d is { } dev ? $"freeze:{dev.Major}:{dev.Minor}" : "freeze:unknown";

    public static bool IsTask(string node, out int pid)
    {
        pid = 0;
        return node.StartsWith("task:", StringComparison.Ordinal) && int.TryParse(node.AsSpan(5), out pid);
    }
}
