using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace TraceForensics.Events.Model;

/// <summary>Turns UTF-8 byte slices (comms, event names, frames) into shared strings: the same bytes always give
/// the same string object, and looking up a known slice allocates nothing. Invalid UTF-8 becomes U+FFFD.
/// Bounded: past <see cref="MaxEntries"/> distinct strings, new ones are created but no longer kept.</summary>
public sealed class Utf8Interner
{
    private int[] _buckets = new int[1024]; // 1-based entry index, 0 = empty
    private Entry[] _entries = new Entry[1024];
    private int _count;

    private readonly Utf8Interner? _shared;

    public Utf8Interner(int maxEntries = 1 << 20) => MaxEntries = maxEntries;

    /// <summary>A front for one thread over <paramref name="shared"/>, which several threads intern into at once: a
    /// slice this front has not seen is interned by the shared one (under its lock) and kept here, so the same bytes
    /// still give the same string object on every thread, and a known slice takes no lock.</summary>
    public Utf8Interner(Utf8Interner shared, int maxEntries = 1 << 16)
    {
        _shared = shared;
        MaxEntries = maxEntries;
    }

    public int MaxEntries { get; }
    public int Count => _count;

    /// <summary>True once <see cref="MaxEntries"/> strings are kept: a string first seen from then on is not shared. Read
    /// without the lock by the threads whose fronts intern into this one (an int read whole; it only grows).</summary>
    public bool Full => Volatile.Read(ref _count) >= MaxEntries;

    private struct Entry
    {
        /// <summary>A slice of at most 32 bytes kept as four words (see <see cref="Pack(ReadOnlySpan{byte}, out ulong, out ulong, out ulong, out ulong)"/>),
        /// compared without reading another object; a longer one is kept in <see cref="Bytes"/>.</summary>
        public ulong W0, W1, W2, W3;
        public byte[]? Bytes;
        public string Value;
        public int Hash;
        public int Length;
    }

    public string Intern(ReadOnlySpan<byte> bytes)
    {
        int n = bytes.Length;
        if (n == 0) return string.Empty;
        ulong w0 = 0, w1 = 0, w2 = 0, w3 = 0;
        int hash = n <= InlineBytes ? Words(bytes, out w0, out w1, out w2, out w3) : Hash(bytes);
        int b = hash & (_buckets.Length - 1);
        while (true)
        {
            int i = _buckets[b];
            if (i == 0) break;
            ref var e = ref _entries[i - 1];
            if (e.Hash == hash && e.Length == n
                && (n <= InlineBytes ? e.W0 == w0 && e.W1 == w1 && e.W2 == w2 && e.W3 == w3 : bytes.SequenceEqual(e.Bytes)))
                return e.Value;
            b = (b + 1) & (_buckets.Length - 1);
        }
        string value;
        if (_shared is null) value = Encoding.UTF8.GetString(bytes);
        else lock (_shared) value = _shared.Intern(bytes);
        if (_count >= MaxEntries) return value;
        if (_count == _entries.Length) Array.Resize(ref _entries, _count * 2);
        _entries[_count] = new Entry { W0 = w0, W1 = w1, W2 = w2, W3 = w3, Bytes = n <= InlineBytes ? null : bytes.ToArray(), Value = value, Hash = hash, Length = n };
        _buckets[b] = ++_count;
        if (_count * 2 > _buckets.Length) Rehash();
        return value;
    }

    /// <summary>Interns a slice said to belong to <paramref name="owner"/> (a line's comm, to its pid): the last slice
    /// interned for an owner is remembered in a small table indexed by it, and the same bytes again (a task's lines come
    /// in runs) are answered from there without hashing or probing. A slice past 16 bytes is interned as usual.</summary>
    public string Intern(ReadOnlySpan<byte> bytes, int owner)
    {
        int n = bytes.Length;
        if (n == 0 || n > 16) return Intern(bytes);
        Pack(bytes, out ulong w0, out ulong w1);
        ref var last = ref (_lastOf ??= new LastOf[LastOfSlots])[owner & (LastOfSlots - 1)];
        if (last.Length == n && last.W0 == w0 && last.W1 == w1) return last.Value!;
        var value = Intern(bytes);
        last = new LastOf { W0 = w0, W1 = w1, Length = n, Value = value };
        return value;
    }

    private const int LastOfSlots = 1024;
    private LastOf[]? _lastOf; // made on first use: only the fronts that decode lines use it

    /// <summary>The last slice of at most 16 bytes interned for an owner (see <see cref="Pack(ReadOnlySpan{byte}, out ulong, out ulong)"/>);
    /// Length 0 = none.</summary>
    private struct LastOf
    {
        public ulong W0, W1;
        public string? Value;
        public int Length;
    }

    /// <summary>Interns a string that is already a string (decoded elsewhere).</summary>
    public string Intern(string s) => Intern(Encoding.UTF8.GetBytes(s));

    private const ulong K = 0x9E3779B97F4A7C15;

    /// <summary>Slices up to this long are kept and compared as words: every comm (TASK_COMM_LEN is 16 with its NUL), nearly
    /// every event name and most kernel function names of a stack.</summary>
    internal const int InlineBytes = 32;

    /// <summary>A slice of 1 to 32 bytes as the four words of <see cref="Pack(ReadOnlySpan{byte}, out ulong, out ulong, out ulong, out ulong)"/>
    /// (the last two 0 up to 16 bytes). Returns their hash.</summary>
    private static int Words(ReadOnlySpan<byte> bytes, out ulong w0, out ulong w1, out ulong w2, out ulong w3)
    {
        Pack(bytes, out w0, out w1, out w2, out w3);
        ulong h = (((ulong)bytes.Length * K ^ w0) * K ^ w1) * K;
        if (bytes.Length > 16) h = ((h ^ w2) * K ^ w3) * K;
        return Finish(h);
    }

    /// <summary>A slice as four words that, with its length, say exactly which bytes it holds up to 32 bytes: from 17 bytes
    /// on, the first sixteen and the last sixteen (overlapping); up to 16, the two words of
    /// <see cref="Pack(ReadOnlySpan{byte}, out ulong, out ulong)"/> and two zeros. Past 32 bytes they are a key, not the
    /// identity.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Pack(ReadOnlySpan<byte> bytes, out ulong w0, out ulong w1, out ulong w2, out ulong w3)
    {
        int n = bytes.Length;
        if (n <= 16)
        {
            Pack(bytes, out w0, out w1);
            w2 = w3 = 0;
            return;
        }
        ref byte start = ref MemoryMarshal.GetReference(bytes);
        w0 = Unsafe.ReadUnaligned<ulong>(ref start);
        w1 = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, 8));
        w2 = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, n - 16));
        w3 = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, n - 8));
    }

    /// <summary>A slice as two words that, with its length, say exactly which bytes it holds up to 16 bytes: from 8 bytes
    /// on, the first eight and the last eight (overlapping); below, the bytes packed into the first. For a slice past 16
    /// bytes they are its first and last eight: a key to find it by, not its identity.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Pack(ReadOnlySpan<byte> bytes, out ulong w0, out ulong w1)
    {
        ref byte start = ref MemoryMarshal.GetReference(bytes);
        int n = bytes.Length;
        if (n >= 8)
        {
            w0 = Unsafe.ReadUnaligned<ulong>(ref start);
            w1 = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, n - 8));
        }
        else
        {
            ulong w = 0;
            for (int i = 0; i < n; i++) w = (w << 8) | Unsafe.Add(ref start, i);
            w0 = w;
            w1 = 0;
        }
    }

    /// <summary>A small hash of two words (of <see cref="Pack(ReadOnlySpan{byte}, out ulong, out ulong)"/>, or folded from four) and the length, below 2^<paramref name="bits"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Slot(ulong w0, ulong w1, int n, int bits) => (int)(((w0 * K ^ w1) * K + (ulong)n) * K >> (64 - bits));

    /// <summary>A hash of a longer slice read eight bytes at a time: one multiply per word instead of
    /// <see cref="HashCode.AddBytes"/>'s rounds per four bytes, which were a tenth of a parallel read's time. Only
    /// equality decides a match, so the hash needs to spread, not to resist attack: the table is bounded.</summary>
    private static int Hash(ReadOnlySpan<byte> bytes)
    {
        ref byte start = ref MemoryMarshal.GetReference(bytes);
        int n = bytes.Length;
        ulong h = (ulong)n * K;
        int i = 0;
        for (; i + 8 <= n; i += 8) h = (h ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i))) * K;
        if (i < n) h = (h ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, n - 8))) * K; // the last eight, overlapping
        return Finish(h);
    }

    private static int Finish(ulong h)
    {
        h ^= h >> 29;
        h *= K;
        return (int)(h ^ (h >> 32));
    }

    private void Rehash()
    {
        var buckets = new int[_buckets.Length * 2];
        for (int i = 0; i < _count; i++)
        {
            int b = _entries[i].Hash & (buckets.Length - 1);
            while (buckets[b] != 0) b = (b + 1) & (buckets.Length - 1);
            buckets[b] = i + 1;
        }
        _buckets = buckets;
    }
}
