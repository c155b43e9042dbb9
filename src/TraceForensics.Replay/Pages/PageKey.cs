using TraceForensics.Events.Model;

namespace TraceForensics.Replay.Pages;

/// <summary>A page-cache page by its identity: device, inode, page index. Written <c>7:0:131:100</c> in node ids.</summary>
public readonly record struct PageKey(DeviceNumber Dev, ulong Ino, long Index)
{
    public override string ToString() => $"{Dev}:{Ino}:{Index}";

    // The page tables are keyed on pages and looked up for every page an extent names (a 1 MiB folio is 256 of them,
    // each looked up when it starts and ends writeback): equality and hash written out, cheaper than the generated ones
    // (which go through a comparer per field and hash the device's name). Same meaning: every field compared; the
    // name, set only on devices named by a string, is left out of the hash (such pages are rare). Consecutive pages of
    // a file get neighbouring hashes (and buckets). A dictionary's order of enumeration does not depend on the hash.
    public bool Equals(PageKey other) =>
        Index == other.Index && Ino == other.Ino && Dev.Major == other.Dev.Major && Dev.Minor == other.Dev.Minor
        && (ReferenceEquals(Dev.Name, other.Dev.Name) || string.Equals(Dev.Name, other.Dev.Name, StringComparison.Ordinal));

    public override int GetHashCode()
    {
        ulong h = (ulong)Index + Ino * 0x9E3779B97F4A7C15UL + ((ulong)(uint)Dev.Major << 32 | (uint)Dev.Minor) * 0xC2B2AE3D27D4EB4FUL;
        return (int)h ^ (int)(h >> 32);
    }
}
