using System.Runtime.CompilerServices;

namespace TraceForensics.Ingest.Formats;

/// <summary>Parsing helpers over ASCII bytes: whole-token number parsing that never throws and never allocates.</summary>
public static class AsciiSpan
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsSpace(byte b) => b == (byte)' ' || b == (byte)'\t';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    /// <summary>The first space or tab, or -1: a plain loop, for the short tokens of a line (flags, a timestamp, a
    /// field's value), where the vectorised <c>IndexOfAny</c>'s set-up costs more than it saves.</summary>
    public static int IndexOfSpace(ReadOnlySpan<byte> s)
    {
        for (int i = 0; i < s.Length; i++)
            if (IsSpace(s[i])) return i;
        return -1;
    }

    /// <summary>The index of the first byte that is not a space or tab, or -1 when there is none: one vectorised search
    /// over the padding the kernel puts before a comm (<c>"%16s"</c>).</summary>
    public static int SkipSpaces(ReadOnlySpan<byte> s) => s.IndexOfAnyExcept((byte)' ', (byte)'\t');

    public static ReadOnlySpan<byte> TrimStart(ReadOnlySpan<byte> s)
    {
        int i = 0;
        while (i < s.Length && IsSpace(s[i])) i++;
        return s[i..];
    }

    public static ReadOnlySpan<byte> TrimEnd(ReadOnlySpan<byte> s)
    {
        int n = s.Length;
        while (n > 0 && IsSpace(s[n - 1])) n--;
        return s[..n];
    }

    public static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> s) => TrimEnd(TrimStart(s));

    public static bool IsBlank(ReadOnlySpan<byte> s) => TrimStart(s).IsEmpty;

    /// <summary>A non-negative decimal that is the whole span (at most 18 digits).</summary>
    public static bool TryParseDecimal(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 18) return false;
        foreach (byte b in s)
        {
            if (!IsDigit(b)) return false;
            value = value * 10 + (b - '0');
        }
        return true;
    }

    /// <summary>An unsigned decimal that is the whole span, up to <see cref="ulong.MaxValue"/> (sector -1 of a flush).</summary>
    public static bool TryParseUnsigned(ReadOnlySpan<byte> s, out ulong value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 20) return false;
        foreach (byte b in s)
        {
            if (!IsDigit(b)) return false;
            ulong next = value * 10 + (ulong)(b - '0');
            if (value > ulong.MaxValue / 10 || next < value) return false;
            value = next;
        }
        return true;
    }

    public static bool TryParseInt(ReadOnlySpan<byte> s, out int value)
    {
        value = 0;
        if (!TryParseDecimal(s, out long v) || v > int.MaxValue) return false;
        value = (int)v;
        return true;
    }

    /// <summary>The kernel's <c>PID_MAX_LIMIT</c> on 64-bit (include/linux/threads.h: <c>4 * 1024 * 1024</c>): every
    /// pid, tid and tgid is below it (pid_max cannot be set higher, kernel/pid.c).</summary>
    public const int PidMaxLimit = 4 * 1024 * 1024;

    /// <summary>A pid as the kernel can give one: decimal digits that are the whole span, below <see cref="PidMaxLimit"/>.
    /// False for a sign, letters, or a number past it (never wrapped onto another task).</summary>
    public static bool TryParsePid(ReadOnlySpan<byte> s, out int pid) => TryParseInt(s, out pid) && pid < PidMaxLimit;

    /// <summary>Hex digits, with or without a 0x prefix, that are the whole span (at most 16 digits).</summary>
    public static bool TryParseHex(ReadOnlySpan<byte> s, out ulong value)
    {
        value = 0;
        if (s.Length > 2 && s[0] == (byte)'0' && (s[1] | 0x20) == (byte)'x') s = s[2..];
        if (s.IsEmpty || s.Length > 16) return false;
        foreach (byte b in s)
        {
            int d = b >= '0' && b <= '9' ? b - '0' : (b | 0x20) >= 'a' && (b | 0x20) <= 'f' ? (b | 0x20) - 'a' + 10 : -1;
            if (d < 0) return false;
            value = (value << 4) | (uint)d;
        }
        return true;
    }

    /// <summary>A trace timestamp, <c>secs.frac</c> with up to 9 fraction digits (or plain digits), as
    /// integer nanoseconds.</summary>
    public static bool TryParseTimestamp(ReadOnlySpan<byte> s, out long ns)
    {
        ns = 0;
        int dot = -1;
        for (int i = 0; i < s.Length; i++)
            if (s[i] == (byte)'.') { dot = i; break; }
        if (dot < 0) return TryParseDecimal(s, out ns);
        var frac = s[(dot + 1)..];
        if (frac.IsEmpty || frac.Length > 9 || dot > 10) return false;
        if (!TryParseDecimal(s[..dot], out long secs) || !TryParseDecimal(frac, out long f)) return false;
        if (secs > long.MaxValue / 1_000_000_000L - 1) return false; // 10 digits of seconds overflow nanoseconds in a long
        for (int i = frac.Length; i < 9; i++) f *= 10;
        ns = secs * 1_000_000_000L + f;
        return true;
    }

    /// <summary>A timestamp token at the start of <paramref name="s"/>: <c>secs.frac:</c> (up to 10 digits of seconds, 1 to
    /// 9 of fraction) or <c>digits:</c>, followed by a space, a tab or the end; parsed in the pass that finds its end, which
    /// is returned in <paramref name="end"/> (just past the ':'). Accepts exactly the tokens whose text before the ':'
    /// <see cref="TryParseTimestamp"/> accepts.</summary>
    public static bool TryTimestampToken(ReadOnlySpan<byte> s, out long ns, out int end)
    {
        ns = 0;
        end = 0;
        int i = 0;
        long secs = 0;
        while (i < s.Length && IsDigit(s[i]))
        {
            if (i == 18) return false;
            secs = secs * 10 + (s[i] - '0');
            i++;
        }
        if (i == 0 || i == s.Length) return false;
        if (s[i] == (byte)'.')
        {
            if (i > 10 || secs > long.MaxValue / 1_000_000_000L - 1) return false;
            int j = i + 1;
            long frac = 0;
            while (j < s.Length && IsDigit(s[j]))
            {
                if (j - i > 9) return false;
                frac = frac * 10 + (s[j] - '0');
                j++;
            }
            int digits = j - i - 1;
            if (digits == 0) return false;
            for (int k = digits; k < 9; k++) frac *= 10;
            ns = secs * 1_000_000_000L + frac;
            i = j;
        }
        else ns = secs;
        if (i == s.Length || s[i] != (byte)':' || (i + 1 < s.Length && !IsSpace(s[i + 1]))) { ns = 0; return false; }
        end = i + 1;
        return true;
    }

    /// <summary>A function frame name: the token up to the first '+', ' ' or '(' (drops offsets and addresses).</summary>
    public static ReadOnlySpan<byte> FunctionName(ReadOnlySpan<byte> s)
    {
        s = TrimStart(s);
        int end = s.IndexOfAny((byte)'+', (byte)' ', (byte)'\t');
        return end < 0 ? s : s[..end];
    }

    /// <summary>True when the bytes hold a NUL or other control characters that never appear in trace text.</summary>
    public static bool LooksBinary(ReadOnlySpan<byte> s)
    {
        foreach (byte b in s)
            if (b < 0x20 && b != (byte)'\t' && b != (byte)'\r' && b != 0x1B) return true;
        return false;
    }

    /// <summary>True for a UUID as the kernel's <c>%pU</c> prints it (lib/vsprintf.c <c>uuid_string()</c>, the default
    /// "b" form: 36 characters, lowercase hex in groups of 8-4-4-4-12 joined by dashes), as btrfs names a filesystem.</summary>
    public static bool IsUuid(ReadOnlySpan<byte> s)
    {
        if (s.Length != 36) return false;
        for (int i = 0; i < s.Length; i++)
        {
            bool dash = i is 8 or 13 or 18 or 23;
            if (dash ? s[i] != (byte)'-' : !(IsDigit(s[i]) || s[i] is >= (byte)'a' and <= (byte)'f')) return false;
        }
        return true;
    }
}
