namespace TraceForensics.Ingest.TraceDat;

internal enum PrintValueKind : byte { Number, Bytes, Text, Unknown }

/// <summary>The value of a print-format argument: a number (with C's signedness), bytes of the record (a char array,
/// a <c>__data_loc</c> string), a literal string, or unknown (a kernel symbol the file does not define, which
/// libtraceevent also cannot evaluate; 0 in arithmetic, as <c>trace-cmd report</c> prints it).</summary>
internal readonly record struct PrintValue(PrintValueKind Kind, long Number, bool Unsigned = false, int Offset = 0, int Length = 0, string? Text = null)
{
    public static PrintValue Num(long n, bool unsigned) => new(PrintValueKind.Number, n, unsigned);
    public static readonly PrintValue Unknown = new(PrintValueKind.Unknown, 0);
    public bool IsKnownNumber => Kind == PrintValueKind.Number;
}

/// <summary>What an expression reads: the record and how to read numbers from it.</summary>
internal ref struct PrintContext(ReadOnlySpan<byte> record, bool bigEndian, int longSize)
{
    public readonly ReadOnlySpan<byte> Record = record;
    public readonly bool BigEndian = bigEndian;
    public readonly int LongSize = longSize;

    public readonly long ReadNumber(int offset, int size, bool signed)
    {
        if (offset < 0 || size is not (1 or 2 or 4 or 8) || offset + size > Record.Length) return 0;
        ulong v = TraceDatBytes.Read(Record.Slice(offset, size), size, BigEndian);
        if (!signed || size == 8) return (long)v;
        int shift = 64 - size * 8;
        return (long)(v << shift) >> shift;
    }

    /// <summary>The bytes a <c>__data_loc</c>/<c>__rel_loc</c> field points at (kernel include/trace/stages/
    /// stage6_event_callback.h: <c>__get_dynamic_array</c>: offset in the low 16 bits, length in the high 16).</summary>
    public readonly (int Offset, int Length) DataLoc(EventField f)
    {
        long word = ReadNumber(f.Offset, 4, false);
        int offset = (int)(word & 0xffff), length = (int)((word >> 16) & 0xffff);
        if (f.IsRelLoc) offset += f.Offset + f.Size;
        if (offset > Record.Length) return (0, 0);
        return (offset, Math.Min(length, Record.Length - offset));
    }
}

/// <summary>One argument expression of a print format (a C expression over <c>REC-&gt;field</c>).</summary>
internal abstract class PrintExpr
{
    public abstract PrintValue Eval(ref PrintContext c);
    /// <summary>True when the value does not depend on the record (numbers, strings, names the file does not define,
    /// and operators over those): a <c>__print_flags</c>/<c>__print_symbolic</c> table of such values is cached.</summary>
    public virtual bool IsConstant => false;
}

internal sealed class NumberExpr(ulong n, bool unsigned) : PrintExpr
{
    public override PrintValue Eval(ref PrintContext c) => PrintValue.Num((long)n, unsigned);
    public override bool IsConstant => true;
}

internal sealed class StringExpr(string s) : PrintExpr
{
    public string Value => s;
    public override PrintValue Eval(ref PrintContext c) => new(PrintValueKind.Text, 0, Text: s);
    public override bool IsConstant => true;
}

/// <summary>A name the file does not define (a kernel enum or macro such as <c>I_DIRTY_SYNC</c>, <c>jiffies</c>).</summary>
internal sealed class UnknownExpr(string name) : PrintExpr
{
    public string Name => name;
    public override PrintValue Eval(ref PrintContext c) => PrintValue.Unknown;
    public override bool IsConstant => true;
}

/// <summary><c>REC->field</c>: a number by the field's size and signedness; a char array or dynamic string as bytes.</summary>
internal sealed class FieldExpr(EventField field) : PrintExpr
{
    public override PrintValue Eval(ref PrintContext c)
    {
        if (field.IsDataLoc || field.IsRelLoc)
        {
            var (o, l) = c.DataLoc(field);
            return new(PrintValueKind.Bytes, 0, Offset: o, Length: l);
        }
        if (field.IsArray || field.Size > 8 || field.Size == 3 || field.Size is 5 or 6 or 7)
            return field.Offset > c.Record.Length ? new(PrintValueKind.Bytes, 0)
                : new(PrintValueKind.Bytes, 0, Offset: field.Offset, Length: Math.Min(field.Size, c.Record.Length - field.Offset));
        return PrintValue.Num(c.ReadNumber(field.Offset, field.Size, field.Signed), !field.Signed);
    }
}

/// <summary><c>REC->caller[i]</c>.</summary>
internal sealed class IndexExpr(EventField field, PrintExpr index) : PrintExpr
{
    public override PrintValue Eval(ref PrintContext c)
    {
        var i = index.Eval(ref c);
        int size = field.ElementSize;
        long at = field.Offset + i.Number * size;
        if (!i.IsKnownNumber || i.Number < 0 || at + size > c.Record.Length) return PrintValue.Unknown;
        return PrintValue.Num(c.ReadNumber((int)at, size, field.Signed), !field.Signed);
    }
}

internal sealed class UnaryExpr(string op, PrintExpr operand) : PrintExpr
{
    public override bool IsConstant => operand.IsConstant;

    public override PrintValue Eval(ref PrintContext c)
    {
        var v = operand.Eval(ref c);
        return op switch
        {
            "-" => PrintValue.Num(-v.Number, v.Unsigned),
            "~" => PrintValue.Num(~v.Number, v.Unsigned),
            "!" => PrintValue.Num(Truth(v) ? 0 : 1, false),
            _ => v,
        };
    }

    public static bool Truth(PrintValue v) => v.Kind switch
    {
        PrintValueKind.Number => v.Number != 0,
        PrintValueKind.Bytes or PrintValueKind.Text => true,
        _ => false,
    };
}

/// <summary>A C cast: the value truncated or extended to the type's width (<c>(unsigned int)</c>, <c>(loff_t)</c>);
/// pointer casts keep the value.</summary>
internal sealed class CastExpr(string type, PrintExpr operand, int longSize) : PrintExpr
{
    public override bool IsConstant => operand.IsConstant;

    public override PrintValue Eval(ref PrintContext c)
    {
        var v = operand.Eval(ref c);
        if (v.Kind != PrintValueKind.Number || type.Contains('*')) return v;
        bool unsigned = type.Contains("unsigned", StringComparison.Ordinal) || type.StartsWith('u') || type is "dev_t" or "sector_t" or "size_t" or "gfp_t";
        int bits = type switch
        {
            _ when type.Contains("long long", StringComparison.Ordinal) => 64,
            _ when type.Contains("long", StringComparison.Ordinal) => longSize * 8,
            _ when type.Contains("short", StringComparison.Ordinal) => 16,
            _ when type.Contains("char", StringComparison.Ordinal) => 8,
            "u8" or "s8" or "__u8" or "__s8" or "bool" => 8,
            "u16" or "s16" or "__u16" or "__s16" => 16,
            "u64" or "s64" or "__u64" or "__s64" or "loff_t" or "sector_t" or "size_t" or "ssize_t" => 64,
            _ => 32, // int, unsigned int, u32, s32, pid_t, dev_t, gfp_t
        };
        long n = v.Number;
        if (bits < 64)
        {
            int shift = 64 - bits;
            n = unsigned ? (long)((ulong)n << shift >> shift) : n << shift >> shift;
        }
        return PrintValue.Num(n, unsigned);
    }
}

internal sealed class BinaryExpr(string op, PrintExpr left, PrintExpr right) : PrintExpr
{
    public override bool IsConstant => left.IsConstant && right.IsConstant;

    public override PrintValue Eval(ref PrintContext c)
    {
        var l = left.Eval(ref c);
        if (op == "&&") return PrintValue.Num(UnaryExpr.Truth(l) && UnaryExpr.Truth(right.Eval(ref c)) ? 1 : 0, false);
        if (op == "||") return PrintValue.Num(UnaryExpr.Truth(l) || UnaryExpr.Truth(right.Eval(ref c)) ? 1 : 0, false);
        var r = right.Eval(ref c);
        long a = l.Number, b = r.Number;
        bool u = l.Unsigned || r.Unsigned;
        switch (op)
        {
            case "+": return PrintValue.Num(a + b, u);
            case "-": return PrintValue.Num(a - b, u);
            case "*": return PrintValue.Num(a * b, u);
            case "/": return b == 0 ? PrintValue.Unknown : PrintValue.Num(u ? (long)((ulong)a / (ulong)b) : a / b, u);
            case "%": return b == 0 ? PrintValue.Unknown : PrintValue.Num(u ? (long)((ulong)a % (ulong)b) : a % b, u);
            case "&": return PrintValue.Num(a & b, u);
            case "|": return PrintValue.Num(a | b, u);
            case "^": return PrintValue.Num(a ^ b, u);
            case "<<": return PrintValue.Num(b is >= 0 and < 64 ? a << (int)b : 0, l.Unsigned);
            case ">>": return PrintValue.Num(b is >= 0 and < 64 ? (l.Unsigned ? (long)((ulong)a >> (int)b) : a >> (int)b) : 0, l.Unsigned);
            case "==": return PrintValue.Num(a == b ? 1 : 0, false);
            case "!=": return PrintValue.Num(a != b ? 1 : 0, false);
            case "<": return PrintValue.Num((u ? (ulong)a < (ulong)b : a < b) ? 1 : 0, false);
            case ">": return PrintValue.Num((u ? (ulong)a > (ulong)b : a > b) ? 1 : 0, false);
            case "<=": return PrintValue.Num((u ? (ulong)a <= (ulong)b : a <= b) ? 1 : 0, false);
            case ">=": return PrintValue.Num((u ? (ulong)a >= (ulong)b : a >= b) ? 1 : 0, false);
            default: return PrintValue.Unknown;
        }
    }
}

internal sealed class TernaryExpr(PrintExpr condition, PrintExpr then, PrintExpr otherwise) : PrintExpr
{
    public override bool IsConstant => condition.IsConstant && then.IsConstant && otherwise.IsConstant;

    public override PrintValue Eval(ref PrintContext c) =>
        UnaryExpr.Truth(condition.Eval(ref c)) ? then.Eval(ref c) : otherwise.Eval(ref c);
}

/// <summary><c>{ value, "name" }</c>: one entry of a <c>__print_flags</c>/<c>__print_symbolic</c> table.</summary>
internal sealed class BraceExpr(IReadOnlyList<PrintExpr> items) : PrintExpr
{
    public IReadOnlyList<PrintExpr> Items => items;
    public override PrintValue Eval(ref PrintContext c) => PrintValue.Unknown;
}

/// <summary>A helper call (<c>__get_str</c>, <c>__print_flags</c>, <c>__print_symbolic</c>, ...): evaluated by
/// <see cref="PrintFormat"/>, which knows how each prints.</summary>
internal sealed class CallExpr(string name, IReadOnlyList<PrintExpr> args) : PrintExpr
{
    public string Name => name;
    public IReadOnlyList<PrintExpr> Args => args;

    /// <summary>The text of each value seen, for a table whose entries are constants (the same value always prints the
    /// same): at most <see cref="CacheLimit"/> values, so that a hostile file cannot grow it without bound.</summary>
    private Dictionary<long, string>? _texts;
    private bool? _tableConstant;
    private const int CacheLimit = 4096;

    private bool TableConstant(int from)
    {
        if (_tableConstant is { } known) return known;
        bool constant = true;
        for (int i = from; i < args.Count; i++)
            if (!args[i].IsConstant && !(args[i] is BraceExpr b && b.Items.All(x => x.IsConstant))) constant = false;
        _tableConstant = constant;
        return constant;
    }

    private PrintValue Remember(long value, string text)
    {
        if (_tableConstant == true && (_texts ??= []).Count < CacheLimit) _texts[value] = text;
        return new(PrintValueKind.Text, 0, Text: text);
    }

    public override PrintValue Eval(ref PrintContext c)
    {
        switch (name)
        {
            // include/trace/stages/stage3_trace_output.h: __get_str(field), __get_dynamic_array(field): the data_loc data.
            case "__get_str" or "__get_dynamic_array" or "__get_rel_str" or "__get_rel_dynamic_array":
                return args.Count == 1 ? args[0].Eval(ref c) : PrintValue.Unknown;
            case "__get_dynamic_array_len" or "__get_rel_dynamic_array_len":
                return args.Count == 1 && args[0].Eval(ref c) is { Kind: PrintValueKind.Bytes } b ? PrintValue.Num(b.Length, true) : PrintValue.Unknown;
            case "__print_symbolic" or "__print_symbolic_u64":
            {
                if (args.Count == 0) return PrintValue.Unknown;
                var v = args[0].Eval(ref c);
                if (TableConstant(1) && _texts is not null && _texts.TryGetValue(v.Number, out var known))
                    return new(PrintValueKind.Text, 0, Text: known);
                for (int i = 1; i < args.Count; i++)
                    if (args[i] is BraceExpr { Items: [var value, StringExpr s] } && value.Eval(ref c) is { IsKnownNumber: true } f && f.Number == v.Number)
                        return Remember(v.Number, s.Value);
                return Remember(v.Number, "0x" + v.Number.ToString("x"));
            }
            case "__print_flags" or "__print_flags_u64":
                return PrintFlags(ref c);
            default:
                return PrintValue.Unknown;
        }
    }

    /// <summary>libtraceevent event-parse.c, <c>print_str_arg</c> case PRINT_FLAGS: names of the set flags joined by the
    /// delimiter, a flag whose value is 0 printed only when the value is 0, what no name covers as 0x-hex.</summary>
    private PrintValue PrintFlags(ref PrintContext c)
    {
        if (args.Count < 2) return PrintValue.Unknown;
        long val = args[0].Eval(ref c).Number;
        long key = val;
        if (TableConstant(1) && _texts is not null && _texts.TryGetValue(key, out var known))
            return new(PrintValueKind.Text, 0, Text: known);
        string delim = args[1] is StringExpr d ? d.Value : "";
        var sb = new System.Text.StringBuilder();
        bool printed = false;
        for (int i = 2; i < args.Count; i++)
        {
            if (args[i] is not BraceExpr { Items: [var value, StringExpr s] }) continue;
            var f = value.Eval(ref c);
            if (!f.IsKnownNumber) continue;
            long fv = f.Number;
            if (val == 0 && fv == 0) { sb.Append(s.Value); printed = true; val = 0; break; }
            if (fv != 0 && (val & fv) == fv)
            {
                if (printed) sb.Append(delim);
                sb.Append(s.Value);
                printed = true;
                val &= ~fv;
            }
        }
        if (val != 0)
        {
            if (printed) sb.Append(delim);
            sb.Append("0x").Append(val.ToString("x"));
        }
        return Remember(key, sb.ToString());
    }
}
