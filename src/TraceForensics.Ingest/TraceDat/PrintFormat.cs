using System.Globalization;

namespace TraceForensics.Ingest.TraceDat;

/// <summary>An event's print format, parsed once: literal text and printf conversions, each with its argument
/// expression. Renders a record the way <c>trace-cmd report</c> prints its payload without plugins (libtraceevent
/// event-parse.c <c>tep_print_event</c>/<c>print_event_fields</c> over the format's <c>print fmt:</c>).</summary>
internal sealed class PrintFormat
{
    /// <summary>One conversion, with what the hot path asks of it worked out once: whether it is a plain %d/%u/%x (no
    /// flags, width or precision) and the width in bits its length modifier gives.</summary>
    private sealed record Conversion(string Flags, int Width, int Precision, string Length, char Conv, string PointerKind)
    {
        public readonly bool Plain = Flags.Length == 0 && Width == 0 && Precision < 0;
        public readonly bool LeftAlign = Flags.Contains('-');
        public int Bits { get; init; }
    }

    /// <summary>A literal (Latin-1 bytes, made once) or a conversion with its argument.</summary>
    private sealed record Piece(byte[]? Literal, Conversion? Spec, PrintExpr? Arg);

    private readonly List<Piece> _list = [];
    private Piece[] _pieces = [];

    /// <summary>Why the print format could not be parsed (the payload is then printed as its fields); null when it could.</summary>
    public string? Problem { get; private init; }

    private PrintFormat() { }

    public static PrintFormat Parse(EventFormat e, int longSize)
    {
        try
        {
            var (fmt, args) = new PrintParser(PrintTokens.Tokenize(e.PrintFormat), e, longSize).ParseAll();
            var p = new PrintFormat();
            p.Split(fmt, args, longSize);
            return p;
        }
        catch (TraceDatException ex)
        {
            return new PrintFormat() { Problem = ex.Message };
        }
    }

    /// <summary>Splits the format string at each conversion (C printf: %[flags][width][.precision][length]conversion;
    /// the kernel's %p extensions take the letters after p: %ps, %pS, %pK, ...).</summary>
    private void Split(string fmt, List<PrintExpr> args, int longSize)
    {
        int argIndex = 0, i = 0;
        var literal = new System.Text.StringBuilder();
        while (i < fmt.Length)
        {
            char c = fmt[i];
            if (c != '%') { literal.Append(c); i++; continue; }
            if (i + 1 < fmt.Length && fmt[i + 1] == '%') { literal.Append('%'); i += 2; continue; }
            int start = ++i;
            while (i < fmt.Length && "-+ #0".Contains(fmt[i])) i++;
            string flags = fmt[start..i];
            int width = 0, precision = -1;
            while (i < fmt.Length && char.IsDigit(fmt[i])) width = width * 10 + (fmt[i++] - '0');
            if (i < fmt.Length && fmt[i] == '*') { i++; width = -1; } // width from an argument
            if (i < fmt.Length && fmt[i] == '.')
            {
                i++;
                precision = 0;
                while (i < fmt.Length && char.IsDigit(fmt[i])) precision = precision * 10 + (fmt[i++] - '0');
                if (i < fmt.Length && fmt[i] == '*') { i++; precision = -2; }
            }
            int lenStart = i;
            while (i < fmt.Length && "hlLqjzt".Contains(fmt[i])) i++;
            string length = fmt[lenStart..i];
            if (i >= fmt.Length) break;
            char conv = fmt[i++];
            string pointerKind = "";
            if (conv == 'p')
            {
                int ps = i;
                while (i < fmt.Length && char.IsLetterOrDigit(fmt[i]) && "sSfFBKxhUMmIiRrEeDd4".Contains(fmt[i])) i++;
                pointerKind = fmt[ps..i];
            }
            if (literal.Length > 0) { _list.Add(new(Latin1(literal.ToString()), null, null)); literal.Clear(); }
            if (width == -1) argIndex++;      // the width argument: consumed, not used
            if (precision == -2) { argIndex++; precision = -1; }
            var arg = argIndex < args.Count ? args[argIndex] : null;
            argIndex++;
            _list.Add(new(null, new Conversion(flags, Math.Max(0, width), precision, length, conv, pointerKind) { Bits = Bits(length, longSize) }, arg));
        }
        if (literal.Length > 0) _list.Add(new(Latin1(literal.ToString()), null, null));
        _pieces = [.. _list];
    }

    /// <summary>A literal as PayloadBuffer.Append(string) writes it (a char past Latin-1 as '?').</summary>
    private static byte[] Latin1(string s)
    {
        var b = new byte[s.Length];
        for (int i = 0; i < s.Length; i++) b[i] = s[i] < 256 ? (byte)s[i] : (byte)'?';
        return b;
    }

    public void Render(ref PrintContext c, PayloadBuffer output, Kallsyms kallsyms)
    {
        var pieces = _pieces;
        for (int i = 0; i < pieces.Length; i++)
        {
            var piece = pieces[i];
            if (piece.Literal is { } literal) { output.Append(literal); continue; }
            var v = piece.Arg is null ? PrintValue.Unknown : piece.Arg.Eval(ref c);
            Format(ref c, piece.Spec!, in v, output, kallsyms);
        }
    }

    private static void Format(ref PrintContext c, Conversion spec, in PrintValue v, PayloadBuffer output, Kallsyms kallsyms)
    {
        string text;
        switch (spec.Conv)
        {
            case 's':
                if (v.Kind == PrintValueKind.Bytes)
                {
                    var bytes = c.Record.Slice(v.Offset, v.Length);
                    int nul = bytes.IndexOf((byte)0);
                    if (nul >= 0) bytes = bytes[..nul];
                    if (spec.Precision >= 0 && bytes.Length > spec.Precision) bytes = bytes[..spec.Precision];
                    Padded(output, bytes, spec);
                    return;
                }
                text = v.Kind == PrintValueKind.Text ? v.Text! : v.Kind == PrintValueKind.Number ? v.Number.ToString(CultureInfo.InvariantCulture) : "";
                if (spec.Precision >= 0 && text.Length > spec.Precision) text = text[..spec.Precision];
                break;
            case 'c':
                text = ((char)(byte)v.Number).ToString();
                break;
            case 'p':
                text = Pointer(spec.PointerKind, (ulong)v.Number, kallsyms);
                break;
            default:
                if (v.Kind is PrintValueKind.Text) { text = v.Text!; break; }
                if (spec.Plain && output.TryAppendInteger(Truncate(spec, v.Number), spec.Conv))
                    return; // the common case, written in place
                if (spec.Conv is 'd' or 'i' or 'u' or 'x' or 'X' && IntegerInto(output, spec, v.Number))
                    return; // flags, width or precision: written in place too
                text = Integer(spec, v.Number, c.LongSize);
                break;
        }
        Padded(output, text, spec);
    }

    /// <summary>A printf integer: the length modifier fixes the width (none: int, l: long of the file, ll: 64 bits, h:
    /// short, hh: char), the conversion the signedness and base.</summary>
    private static string Integer(Conversion spec, long n, int longSize)
    {
        n = Truncate(spec, n, longSize);
        bool signedConv = spec.Conv is 'd' or 'i';
        string digits = spec.Conv switch
        {
            'd' or 'i' => n.ToString(CultureInfo.InvariantCulture),
            'u' => ((ulong)n).ToString(CultureInfo.InvariantCulture),
            'x' => ((ulong)n).ToString("x", CultureInfo.InvariantCulture),
            'X' => ((ulong)n).ToString("X", CultureInfo.InvariantCulture),
            'o' => Convert.ToString(n, 8),
            _ => n.ToString(CultureInfo.InvariantCulture),
        };
        if (spec.Flags.Contains('#') && spec.Conv is 'x' or 'X' && n != 0) digits = (spec.Conv == 'x' ? "0x" : "0X") + digits;
        if (spec.Flags.Contains('+') && signedConv && n >= 0) digits = "+" + digits;
        if (spec.Precision > 0 && digits.TrimStart('-').Length < spec.Precision)
        {
            bool neg = digits.StartsWith('-');
            digits = (neg ? "-" : "") + digits.TrimStart('-').PadLeft(spec.Precision, '0');
        }
        if (spec.Flags.Contains('0') && !spec.Flags.Contains('-') && spec.Width > digits.Length)
        {
            bool neg = digits.StartsWith('-');
            digits = (neg ? "-" : "") + digits.TrimStart('-').PadLeft(spec.Width - (neg ? 1 : 0), '0');
        }
        return digits;
    }

    /// <summary>The value cut to the width the length modifier gives (none: int, l: the file's long, ll: 64 bits, h:
    /// short, hh: char), sign-extended for %d/%i, zero-extended for the others.</summary>
    private static long Truncate(Conversion spec, long n, int longSize) => Truncate(spec, n);

    private static long Truncate(Conversion spec, long n)
    {
        int bits = spec.Bits;
        if (bits >= 64) return n;
        int shift = 64 - bits;
        return spec.Conv is 'd' or 'i' ? n << shift >> shift : (long)((ulong)n << shift >> shift);
    }

    private static int Bits(string length, int longSize) => length switch
    {
        "" => 32,
        "hh" => 8,
        "h" => 16,
        "l" or "z" or "t" => longSize * 8,
        _ => 64,
    };

    /// <summary><see cref="Integer"/> for %d/%i/%u/%x/%X, step by step the same, written into a scratch span instead of
    /// strings, then padded into the output. False (the caller goes the string way) for a width or precision past 256.</summary>
    private static bool IntegerInto(PayloadBuffer output, Conversion spec, long n)
    {
        if (spec.Width > 256 || spec.Precision > 256) return false;
        n = Truncate(spec, n);
        Span<byte> b = stackalloc byte[600];
        int len;
        bool ok = spec.Conv switch
        {
            'd' or 'i' => n.TryFormat(b, out len, default, CultureInfo.InvariantCulture),
            'u' => ((ulong)n).TryFormat(b, out len, default, CultureInfo.InvariantCulture),
            'x' => ((ulong)n).TryFormat(b, out len, "x", CultureInfo.InvariantCulture),
            _ => ((ulong)n).TryFormat(b, out len, "X", CultureInfo.InvariantCulture),
        };
        if (!ok) return false;
        string flags = spec.Flags;
        if (flags.Contains('#') && spec.Conv is 'x' or 'X' && n != 0) len = Prepend(b, len, spec.Conv == 'x' ? "0x"u8 : "0X"u8);
        if (flags.Contains('+') && spec.Conv is 'd' or 'i' && n >= 0) len = Prepend(b, len, "+"u8);
        if (spec.Precision > 0) len = ZeroPad(b, len, spec.Precision, false);
        if (flags.Contains('0') && !spec.LeftAlign && spec.Width > len) len = ZeroPad(b, len, spec.Width, true);
        int pad = spec.Width - len;
        if (pad > 0 && !spec.LeftAlign) output.Pad(pad, (byte)' ');
        output.Append(b[..len]);
        if (pad > 0 && spec.LeftAlign) output.Pad(pad, (byte)' ');
        return true;
    }

    private static int Prepend(Span<byte> b, int len, ReadOnlySpan<byte> prefix)
    {
        b[..len].CopyTo(b[prefix.Length..]);
        prefix.CopyTo(b);
        return len + prefix.Length;
    }

    /// <summary>Integer's zero padding: the text after a leading '-' padded with zeros on the left to
    /// <paramref name="target"/> characters (less one for the '-' when <paramref name="countSign"/>).</summary>
    private static int ZeroPad(Span<byte> b, int len, int target, bool countSign)
    {
        bool neg = len > 0 && b[0] == (byte)'-';
        int start = neg ? 1 : 0;
        int body = len - start;
        int want = countSign && neg ? target - 1 : target;
        if (body >= want) return len;
        int zeros = want - body;
        b.Slice(start, body).CopyTo(b[(start + zeros)..]);
        b.Slice(start, zeros).Fill((byte)'0');
        return len + zeros;
    }

    /// <summary>The kernel's %p forms as libtraceevent prints them: %ps/%pf the function name, %pS/%pF name+0xoffset,
    /// others the address in hex with 0x.</summary>
    private static string Pointer(string kind, ulong address, Kallsyms kallsyms)
    {
        if (kind.Length > 0 && kind[0] is 's' or 'S' or 'f' or 'F' or 'B' && kallsyms.Find(address) is { } sym)
            return kind[0] is 's' or 'f' ? sym.Name : $"{sym.Name}+0x{sym.Offset:x}";
        return "0x" + address.ToString("x", CultureInfo.InvariantCulture);
    }

    private static void Padded(PayloadBuffer output, string text, Conversion spec)
    {
        int pad = spec.Width - text.Length;
        if (pad > 0 && !spec.LeftAlign) output.Pad(pad, (byte)' ');
        output.Append(text);
        if (pad > 0 && spec.LeftAlign) output.Pad(pad, (byte)' ');
    }

    private static void Padded(PayloadBuffer output, ReadOnlySpan<byte> text, Conversion spec)
    {
        int pad = spec.Width - text.Length;
        if (pad > 0 && !spec.LeftAlign) output.Pad(pad, (byte)' ');
        output.Append(text);
        if (pad > 0 && spec.LeftAlign) output.Pad(pad, (byte)' ');
    }
}
