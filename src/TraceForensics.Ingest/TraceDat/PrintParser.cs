namespace TraceForensics.Ingest.TraceDat;

/// <summary>Parses the argument expressions of a print format into <see cref="PrintExpr"/>s, C precedence
/// (libtraceevent event-parse.c <c>process_arg</c>/<c>process_op</c> read the same grammar). <c>REC->name</c> resolves
/// against the event's fields; a name the format does not define becomes <see cref="UnknownExpr"/>.</summary>
internal sealed class PrintParser(List<PrintToken> tokens, EventFormat format, int longSize)
{
    private int _at;

    private PrintToken Peek(int ahead = 0) => tokens[Math.Min(_at + ahead, tokens.Count - 1)];
    private PrintToken Next() => tokens[Math.Min(_at++, tokens.Count - 1)];
    private bool IsPunct(string p, int ahead = 0) => Peek(ahead) is { Kind: PrintTokenKind.Punct } t && t.Text == p;

    private void Expect(string p)
    {
        if (!IsPunct(p)) throw new TraceDatException($"print fmt of {format.Name}: '{p}' expected, found '{Peek().Text}'");
        _at++;
    }

    /// <summary>The format string and its arguments: <c>"fmt", arg, arg</c>.</summary>
    public (string Format, List<PrintExpr> Args) ParseAll()
    {
        if (Peek().Kind != PrintTokenKind.String) throw new TraceDatException($"print fmt of {format.Name} does not start with a string");
        var fmt = Next().Text;
        var args = new List<PrintExpr>();
        while (IsPunct(","))
        {
            _at++;
            args.Add(Expression());
        }
        if (Peek().Kind != PrintTokenKind.End) throw new TraceDatException($"print fmt of {format.Name}: unexpected '{Peek().Text}'");
        return (fmt, args);
    }

    public PrintExpr Expression()
    {
        var c = Binary(0);
        if (!IsPunct("?")) return c;
        _at++;
        var then = Expression();
        Expect(":");
        var otherwise = Expression();
        return new TernaryExpr(c, then, otherwise);
    }

    private static readonly string[][] Levels =
    [
        ["||"], ["&&"], ["|"], ["^"], ["&"], ["==", "!="], ["<", ">", "<=", ">="], ["<<", ">>"], ["+", "-"], ["*", "/", "%"],
    ];

    private PrintExpr Binary(int level)
    {
        if (level == Levels.Length) return Unary();
        var left = Binary(level + 1);
        while (Peek() is { Kind: PrintTokenKind.Punct } t && Array.IndexOf(Levels[level], t.Text) >= 0)
        {
            _at++;
            left = new BinaryExpr(t.Text, left, Binary(level + 1));
        }
        return left;
    }

    private PrintExpr Unary()
    {
        if (Peek() is { Kind: PrintTokenKind.Punct, Text: "-" or "~" or "!" or "+" } t)
        {
            _at++;
            return new UnaryExpr(t.Text, Unary());
        }
        if (IsPunct("&")) { _at++; return Unary(); } // &REC->field: the address is not in the record; read the value
        if (IsPunct("(") && CastLength() is int n and > 0)
        {
            _at++;
            var type = string.Join(" ", tokens.GetRange(_at, n).Select(x => x.Text)).Replace(" *", "*");
            _at += n;
            Expect(")");
            return new CastExpr(type, Unary(), longSize);
        }
        return Postfix();
    }

    /// <summary>When a '(' opens a cast, the number of type tokens in it: only identifiers and '*', not REC, followed
    /// by something a cast can apply to.</summary>
    private int? CastLength()
    {
        int i = 1;
        while (Peek(i).Kind == PrintTokenKind.Identifier || (Peek(i).Kind == PrintTokenKind.Punct && Peek(i).Text == "*")) i++;
        if (i == 1 || !IsPunct(")", i) || Peek(1).Text == "REC") return null;
        if (Peek(1).Kind == PrintTokenKind.Punct) return null;
        var after = Peek(i + 1);
        bool operand = after.Kind is PrintTokenKind.Identifier or PrintTokenKind.Number or PrintTokenKind.String
                       || after is { Kind: PrintTokenKind.Punct, Text: "(" or "-" or "~" or "!" or "&" };
        return operand ? i - 1 : null;
    }

    private PrintExpr Postfix()
    {
        var t = Next();
        PrintExpr e;
        switch (t.Kind)
        {
            case PrintTokenKind.Number:
                e = new NumberExpr(t.Number, t.Text.Contains('u', StringComparison.OrdinalIgnoreCase));
                break;
            case PrintTokenKind.String:
                e = new StringExpr(t.Text);
                break;
            case PrintTokenKind.Punct when t.Text == "(":
                e = Expression();
                Expect(")");
                break;
            case PrintTokenKind.Punct when t.Text == "{":
            {
                var items = new List<PrintExpr>();
                while (!IsPunct("}"))
                {
                    items.Add(Expression());
                    if (IsPunct(",")) _at++;
                    else break;
                }
                Expect("}");
                e = new BraceExpr(items);
                break;
            }
            case PrintTokenKind.Identifier when t.Text == "REC" && IsPunct("->"):
            {
                _at++;
                if (Peek().Kind != PrintTokenKind.Identifier) throw new TraceDatException($"print fmt of {format.Name}: a field name expected after REC->");
                var name = Next().Text;
                var field = format.Field(name);
                if (field is null) { e = new UnknownExpr("REC->" + name); break; }
                if (IsPunct("["))
                {
                    _at++;
                    var index = Expression();
                    Expect("]");
                    e = new IndexExpr(field, index);
                }
                else e = new FieldExpr(field);
                break;
            }
            case PrintTokenKind.Identifier when IsPunct("("):
            {
                _at++;
                var args = new List<PrintExpr>();
                while (!IsPunct(")"))
                {
                    // __get_str(name) names a field without REC->.
                    if (Peek().Kind == PrintTokenKind.Identifier && (IsPunct(",", 1) || IsPunct(")", 1)) && format.Field(Peek().Text) is { } f)
                    {
                        _at++;
                        args.Add(new FieldExpr(f));
                    }
                    else args.Add(Expression());
                    if (IsPunct(",")) _at++;
                    else break;
                }
                Expect(")");
                e = new CallExpr(t.Text, args);
                break;
            }
            case PrintTokenKind.Identifier:
                e = new UnknownExpr(t.Text);
                break;
            default:
                throw new TraceDatException($"print fmt of {format.Name}: unexpected '{t.Text}'");
        }
        return e;
    }
}
