using System.Text;

namespace TraceForensics.Ingest.TraceDat;

/// <summary>The traced kernel's /proc/kallsyms as a trace.dat keeps it (KALLSYMS section, trace-cmd.dat.v6.5/v7.5):
/// an address resolves to the symbol at or below it (libtraceevent event-parse.c <c>tep_find_function</c>: the function
/// whose range holds the address). The text is kept as bytes; a name becomes a string when first looked up.</summary>
public sealed class Kallsyms
{
    private readonly byte[] _text;
    private readonly ulong[] _addresses;
    private readonly int[] _nameStart;
    private readonly int[] _nameLength;
    private readonly Dictionary<int, string> _names = [];

    private Kallsyms(byte[] text, ulong[] addresses, int[] nameStart, int[] nameLength)
    {
        _text = text;
        _addresses = addresses;
        _nameStart = nameStart;
        _nameLength = nameLength;
    }

    public static readonly Kallsyms Empty = new([], [], [], []);

    public int Count => _addresses.Length;

    /// <summary>Lines of <c>ADDRESS TYPE NAME [MODULE]</c>; unreadable lines are skipped.</summary>
    public static Kallsyms Parse(ReadOnlySpan<byte> span)
    {
        var text = span.ToArray();
        var addresses = new List<ulong>();
        var starts = new List<int>();
        var lengths = new List<int>();
        int at = 0;
        while (at < text.Length)
        {
            int end = Array.IndexOf(text, (byte)'\n', at);
            if (end < 0) end = text.Length;
            if (TryLine(text, at, end, out ulong address, out int nameStart, out int nameLength))
            {
                addresses.Add(address);
                starts.Add(nameStart);
                lengths.Add(nameLength);
            }
            at = end + 1;
        }
        // Stable by address: of several names at one address the first listed wins.
        var order = Enumerable.Range(0, addresses.Count).ToArray();
        var keys = addresses.ToArray();
        Array.Sort(order, (a, b) => keys[a] != keys[b] ? keys[a].CompareTo(keys[b]) : a.CompareTo(b));
        return new Kallsyms(text,
            order.Select(i => keys[i]).ToArray(), order.Select(i => starts[i]).ToArray(), order.Select(i => lengths[i]).ToArray());
    }

    private static bool TryLine(byte[] text, int from, int end, out ulong address, out int nameStart, out int nameLength)
    {
        address = 0;
        nameStart = nameLength = 0;
        int i = from;
        for (; i < end && text[i] != (byte)' '; i++)
        {
            int digit = HexDigit(text[i]);
            if (digit < 0 || i - from >= 16) return false;
            address = address << 4 | (uint)digit;
        }
        if (i == from || i >= end) return false;
        i++;                                           // the type letter
        while (i < end && text[i] != (byte)' ') i++;
        if (i >= end) return false;
        nameStart = ++i;
        while (i < end && text[i] is not ((byte)' ' or (byte)'\t' or (byte)'\r')) i++;
        nameLength = i - nameStart;
        return nameLength > 0;
    }

    private static int HexDigit(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    /// <summary>The symbol holding <paramref name="address"/> and the offset into it; null below the first symbol.</summary>
    public (string Name, ulong Offset)? Find(ulong address)
    {
        int i = Array.BinarySearch(_addresses, address);
        if (i < 0) i = ~i - 1;
        else while (i > 0 && _addresses[i - 1] == address) i--;
        if (i < 0) return null;
        if (!_names.TryGetValue(i, out var name))
            _names[i] = name = Encoding.Latin1.GetString(_text, _nameStart[i], _nameLength[i]);
        return (name, address - _addresses[i]);
    }
}
