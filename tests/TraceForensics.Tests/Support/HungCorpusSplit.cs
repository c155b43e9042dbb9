using System.Text;

namespace TraceForensics.Tests.Support;

/// <summary>The honesty split of <c>../shared/corpus/syzkaller/hung</c>, fixed before any report was opened: a report is in
/// the dev half when the 32-bit FNV-1a hash of its file name (UTF-8) is even, else in the held-aside half. The title rule
/// was derived from syzkaller's source and checked on the dev half only; the held-aside half was measured once, at the
/// end (README, kernel-log section).</summary>
public static class HungCorpusSplit
{
    public static bool IsDev(string fileName) => Fnv1a(fileName) % 2 == 0;

    public static uint Fnv1a(string s)
    {
        uint h = 0x811c9dc5;
        foreach (var b in Encoding.UTF8.GetBytes(s))
        {
            h ^= b;
            h *= 0x01000193;
        }
        return h;
    }
}
