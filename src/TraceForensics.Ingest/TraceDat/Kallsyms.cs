using System.Globalization;
using System.Text;

namespace TraceForensics.Ingest.TraceDat;

/// <summary>The traced kernel's /proc/kallsyms as a trace.dat keeps it (KALLSYMS section, trace-cmd.dat.v6.5/v7.5):
/// an address resolves to the symbol at or below it (libtraceevent event-parse.c <c>tep_find_function</c>: the function
/// whose range holds the address).</summary>
public sealed class Kallsyms
{
    private readonly ulong[] _addresses;
    private readonly string[] _names;

    private Kallsyms(ulong[] addresses, string[] names) { _addresses = addresses; _names = names; }

    public static readonly Kallsyms Empty = new([], []);

    public int Count => _addresses.Length;

    /// <summary>Lines of <c>ADDRESS TYPE NAME [MODULE]</c>; unreadable lines are skipped.</summary>
    public static Kallsyms Parse(ReadOnlySpan<byte> text)
    {
        var list = new List<(ulong Address, string Name)>();
        foreach (var range in text.Split((byte)'\n'))
        {
            var line = text[range];
            int s1 = line.IndexOf((byte)' ');
            if (s1 <= 0 || !ulong.TryParse(Encoding.ASCII.GetString(line[..s1]), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong addr)) continue;
            var rest = line[(s1 + 1)..];
            int s2 = rest.IndexOf((byte)' ');
            if (s2 < 0) continue;
            var name = rest[(s2 + 1)..];
            int tab = name.IndexOfAny((byte)'\t', (byte)' ');
            if (tab >= 0) name = name[..tab];
            if (name.IsEmpty) continue;
            list.Add((addr, Encoding.Latin1.GetString(name)));
        }
        // Stable by address: of several names at one address the first listed wins.
        var sorted = list.Select((x, i) => (x.Address, x.Name, i)).OrderBy(x => x.Address).ThenBy(x => x.i).ToArray();
        return new Kallsyms(sorted.Select(x => x.Address).ToArray(), sorted.Select(x => x.Name).ToArray());
    }

    /// <summary>The symbol holding <paramref name="address"/> and the offset into it; null below the first symbol.</summary>
    public (string Name, ulong Offset)? Find(ulong address)
    {
        int i = Array.BinarySearch(_addresses, address);
        if (i < 0) i = ~i - 1;
        else while (i > 0 && _addresses[i - 1] == address) i--;
        if (i < 0) return null;
        return (_names[i], address - _addresses[i]);
    }
}
