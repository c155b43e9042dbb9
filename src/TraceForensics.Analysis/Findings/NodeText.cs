using TraceForensics.Replay;

namespace TraceForensics.Analysis.Findings;

/// <summary>Node ids in the kernel's words: <c>task:4005</c> is <c>dd:4005</c>, <c>writeback:7:1:131:5</c> is
/// <c>writeback of page 7:1 ino 131 index 5</c>.</summary>
public static class NodeText
{
    public static string Describe(string node, ReplayState s)
    {
        var parts = node.Split(':');
        switch (parts[0])
        {
            case "task" when int.TryParse(parts[1], out int pid):
                var t = s.Tasks.Get(pid);
                return t is null ? $"task {pid}" : $"{t.Comm}:{pid}";
            case "writeback" when parts.Length == 5:
                return $"writeback of page {parts[1]}:{parts[2]} ino {parts[3]} index {parts[4]}";
            case "pagelock" when parts.Length == 5:
                return $"lock of page {parts[1]}:{parts[2]} ino {parts[3]} index {parts[4]}";
            case "writeback": return "writeback of a page the trace does not name";
            case "pagelock": return "a page lock the trace does not name";
            case "bio" when parts.Length == 4:
                return ulong.TryParse(parts[3], out _)
                    ? $"bio {parts[1]}:{parts[2]} sector {parts[3]}"
                    : $"a bio on {parts[1]}:{parts[2]} (sectors unknown until submitted)";
            case "device" when parts.Length == 3:
                return $"device {parts[1]}:{parts[2]}";
            case "freeze":
                return parts.Length == 3 ? $"frozen filesystem on {parts[1]}:{parts[2]}" : "a frozen filesystem";
            case "class" when parts[1] == "page-lock": return "a page lock";
            case "class" when parts[1] == "page-writeback": return "page writeback";
            case "lock":
                return $"lock {string.Join(':', parts.Skip(1))}";
            default:
                return node;
        }
    }
}
