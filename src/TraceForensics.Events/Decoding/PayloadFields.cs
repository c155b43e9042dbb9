using TraceForensics.Events.Model;
using static TraceForensics.Ingest.Formats.AsciiSpan;

namespace TraceForensics.Events.Decoding;

/// <summary>Field access over a payload span: <c>key=value</c> and <c>key value</c> pairs, device numbers,
/// decimal and hex numbers. A key matches only at the start of the payload or after a space.</summary>
internal static class PayloadFields
{
    /// <summary>The value after <paramref name="key"/> (which includes its '=' or trailing space) up to the next space.</summary>
    public static bool TryValue(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        int from = 0;
        while (from < payload.Length)
        {
            int i = payload[from..].IndexOf(key);
            if (i < 0) break;
            i += from;
            if (i == 0 || IsSpace(payload[i - 1]) || payload[i - 1] == (byte)'(')
            {
                var rest = payload[(i + key.Length)..];
                int end = IndexOfSpace(rest);
                value = end < 0 ? rest : rest[..end];
                return true;
            }
            from = i + 1;
        }
        value = default;
        return false;
    }

    /// <summary>The text between <paramref name="key"/> and the start of <paramref name="nextKey"/> (for values that
    /// may contain spaces, like <c>prev_comm=</c>).</summary>
    public static bool TryValueUntil(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> key, ReadOnlySpan<byte> nextKey, out ReadOnlySpan<byte> value)
    {
        value = default;
        int i = payload.IndexOf(key);
        if (i < 0 || (i > 0 && !IsSpace(payload[i - 1]))) return false;
        var rest = payload[(i + key.Length)..];
        int end = rest.IndexOf(nextKey);
        if (end < 0) return false;
        value = rest[..end];
        return true;
    }

    public static long? Decimal(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> key)
    {
        if (!TryValue(payload, key, out var v)) return null;
        bool negative = v.Length > 1 && v[0] == (byte)'-';
        if (!TryParseDecimal(negative ? v[1..] : v, out long n)) return null;
        return negative ? -n : n;
    }

    /// <summary>A pid field: null when absent; <paramref name="bad"/> when the key is there but its value is not a pid
    /// the kernel can give (letters, a sign, at or past <see cref="PidMaxLimit"/>): never wrapped onto another task.</summary>
    public static int? Pid(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> key, out bool bad)
    {
        bad = false;
        if (!TryValue(payload, key, out var v)) return null;
        if (TryParsePid(v, out int pid)) return pid;
        bad = true;
        return null;
    }

    public static ulong? Hex(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> key) =>
        TryValue(payload, key, out var v) && TryParseHex(v, out ulong n) ? n : null;

    /// <summary>A number printed as hex with 0x, or decimal without.</summary>
    public static ulong? Number(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> key)
    {
        if (!TryValue(payload, key, out var v)) return null;
        if (v.Length > 2 && v[0] == (byte)'0' && (v[1] | 0x20) == (byte)'x') return TryParseHex(v, out ulong h) ? h : null;
        return TryParseDecimal(v, out long d) ? (ulong)d : null;
    }

    /// <summary><c>MAJ:MIN</c>, <c>MAJ,MIN</c>, with an optional trailing ':' (<c>bdi 7:0:</c>).</summary>
    public static bool TryDevice(ReadOnlySpan<byte> s, out DeviceNumber dev)
    {
        dev = default;
        if (s.Length > 0 && s[^1] == (byte)':') s = s[..^1];
        int sep = s.IndexOfAny((byte)':', (byte)',');
        if (sep <= 0 || !TryParseInt(s[..sep], out int major) || !TryParseInt(s[(sep + 1)..], out int minor)) return false;
        dev = new DeviceNumber(major, minor);
        return true;
    }

    public static DeviceNumber? Device(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> key) =>
        TryValue(payload, key, out var v) && TryDevice(v, out var d) ? d : null;

    /// <summary>The backing_dev_info a writeback event names (<c>bdi 7:0:</c>, <c>bdi btrfs-1:</c>; include/trace/events/
    /// writeback.h prints <c>bdi_dev_name()</c>): numbered when it is <c>MAJ:MIN</c>, else a named device
    /// (<see cref="DeviceNumber.Named"/>). Null when absent, or <c>(unknown)</c>, which mm/backing-dev.c prints for a bdi
    /// without a device (<c>bdi_unknown_name</c>): that names nothing.</summary>
    public static DeviceNumber? Bdi(ReadOnlySpan<byte> payload, Utf8Interner strings)
    {
        if (!TryValue(payload, "bdi "u8, out var v)) return null;
        if (TryDevice(v, out var d)) return d;
        if (v.Length > 0 && v[^1] == (byte)':') v = v[..^1];
        return IsDeviceName(v) ? DeviceNumber.Named(strings.Intern(v)) : null;
    }

    /// <summary>The fsid a btrfs event starts with (<c>d35deade-b858-4610-add8-a40444b30954: root=5(FS_TREE) ...</c>;
    /// include/trace/events/btrfs.h <c>TP_printk_btrfs()</c>), as a named device; null when the payload does not start
    /// with one.</summary>
    public static DeviceNumber? BtrfsFsid(ReadOnlySpan<byte> payload, Utf8Interner strings)
    {
        var first = FirstToken(payload, out _);
        if (first.Length > 0 && first[^1] == (byte)':') first = first[..^1];
        return IsUuid(first) ? DeviceNumber.Named(strings.Intern(first)) : null;
    }

    /// <summary>A name the kernel may give a device: printable ASCII without spaces, not <c>(unknown)</c>.</summary>
    private static bool IsDeviceName(ReadOnlySpan<byte> v)
    {
        if (v.IsEmpty || v.SequenceEqual("(unknown)"u8)) return false;
        foreach (byte b in v)
            if (b <= (byte)' ' || b >= 0x7f) return false;
        return true;
    }

    /// <summary>The first space-separated token.</summary>
    public static ReadOnlySpan<byte> FirstToken(ReadOnlySpan<byte> s, out ReadOnlySpan<byte> rest)
    {
        s = TrimStart(s);
        int sp = s.IndexOfAny((byte)' ', (byte)'\t');
        if (sp < 0) { rest = default; return s; }
        rest = TrimStart(s[sp..]);
        return s[..sp];
    }
}
