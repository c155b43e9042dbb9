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

    /// <summary>True when no record's payload can start with '(': the first piece is a literal that does not, or an
    /// integer conversion (a sign, digits or spaces first) or a plain %p (<c>0x</c> and hex, <see cref="Pointer"/>); an
    /// unreadable print format prints <c>name=value</c>.</summary>
    public bool NeverStartsWithParen => Problem is not null || _pieces.Length == 0
        || (_pieces[0].Literal is { } first ? first.Length > 0 && first[0] != (byte)'('
            : _pieces[0].Spec!.Conv is 'd' or 'i' or 'u' or 'x' or 'X' or 'o' || _pieces[0].Spec is { Conv: 'p', PointerKind: "" });

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
                if (spec.Conv is 'd' or 'i' or 'u' or 'x' or 'X' or 'o')
                {
                    IntegerInto(output, spec, v.Number); // flags, width or precision: written in place too
                    return;
                }
                text = v.Number.ToString(CultureInfo.InvariantCulture);
                break;
        }
        Padded(output, text, spec);
    }

    /// <summary>The value cut to the width the length modifier gives (none: int, l: the file's long, ll: 64 bits, h:
    /// short, hh: char), sign-extended for %d/%i, zero-extended for the others.</summary>
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

    /// <summary>A printf integer (%d %i %u %x %X %o with flags, width and precision) written in place, as C's printf
    /// writes it (C11 7.21.6.1; libtraceevent hands the format to the C library, so `trace-cmd report` prints it so):
    /// the length modifier fixes the value's width (none: int, l: the file's long, ll: 64 bits, h: short, hh: char), the
    /// conversion its signedness and base; the sign ('-', or '+'/' ' by flag) and the '#' prefix ("0x", "0X"; for %o a
    /// leading 0) come first, then the digits, at least the precision's many (precision 0 and value 0: none); the '0'
    /// flag, without '-' and without a precision, fills the width with zeros between the prefix and the digits; spaces
    /// fill the rest of the width.</summary>
    private static void IntegerInto(PayloadBuffer output, Conversion spec, long n)
    {
        n = Truncate(spec, n);
        string flags = spec.Flags;
        bool signedConv = spec.Conv is 'd' or 'i';
        bool negative = signedConv && n < 0;
        ulong magnitude = negative ? (ulong)(-(n + 1)) + 1 : (ulong)n;
        int size = Math.Max(spec.Width, Math.Max(spec.Precision, 0)) + 32;
        Span<byte> b = size <= 512 ? stackalloc byte[size] : new byte[size];
        int head = 0;
        if (negative) b[head++] = (byte)'-';
        else if (signedConv && flags.Contains('+')) b[head++] = (byte)'+';
        else if (signedConv && flags.Contains(' ')) b[head++] = (byte)' ';
        if (flags.Contains('#') && spec.Conv is 'x' or 'X' && magnitude != 0)
        {
            b[head++] = (byte)'0';
            b[head++] = (byte)spec.Conv;
        }
        Span<byte> digits = stackalloc byte[24];
        int count = 0;
        if (!(spec.Precision == 0 && magnitude == 0))
        {
            int radix = spec.Conv switch { 'x' or 'X' => 16, 'o' => 8, _ => 10 };
            var alphabet = spec.Conv == 'X' ? "0123456789ABCDEF"u8 : "0123456789abcdef"u8;
            do { digits[count++] = alphabet[(int)(magnitude % (ulong)radix)]; magnitude /= (ulong)radix; } while (magnitude != 0);
        }
        int zeros = Math.Max(spec.Precision, 0) - count;
        if (spec.Conv == 'o' && flags.Contains('#') && zeros <= 0 && (count == 0 || digits[count - 1] != (byte)'0')) zeros = 1;
        if (spec.Precision < 0 && flags.Contains('0') && !spec.LeftAlign) zeros = Math.Max(zeros, spec.Width - head - count);
        if (zeros > 0) { b.Slice(head, zeros).Fill((byte)'0'); head += zeros; }
        for (int i = count - 1; i >= 0; i--) b[head++] = digits[i];
        int pad = spec.Width - head;
        if (pad > 0 && !spec.LeftAlign) output.Pad(pad, (byte)' ');
        output.Append(b[..head]);
        if (pad > 0 && spec.LeftAlign) output.Pad(pad, (byte)' ');
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
