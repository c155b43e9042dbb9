using System.Globalization;

namespace TraceForensics.Ingest.TraceDat;

/// <summary>One field of an event record, as its format file describes it (tracefs <c>events/SYSTEM/EVENT/format</c>:
/// <c>field:TYPE NAME[N];	offset:O;	size:S;	signed:0|1;</c>).</summary>
public sealed record EventField(string Name, string Type, int Offset, int Size, bool Signed)
{
    /// <summary><c>__data_loc</c>: a u32 holding the data's length (high 16 bits) and its offset in the record (low 16
    /// bits); <c>__rel_loc</c> counts the offset from the end of the field (kernel include/trace/stages/stage2_data_offsets.h).</summary>
    public bool IsDataLoc => Type.StartsWith("__data_loc", StringComparison.Ordinal);
    public bool IsRelLoc => Type.StartsWith("__rel_loc", StringComparison.Ordinal);
    /// <summary>A fixed array (<c>char comm[16]</c>, <c>unsigned long caller[8]</c>).</summary>
    public bool IsArray { get; init; }
    /// <summary>Characters: printed with %s up to the first NUL.</summary>
    public bool IsString => Type.Contains("char", StringComparison.Ordinal) && (IsArray || IsDataLoc || IsRelLoc);
    /// <summary>The size of one element of an array (the element type's size: array size / element count).</summary>
    public int ElementSize { get; init; }
}

/// <summary>An event's format file: its name, id, fields and print format (tracefs <c>format</c> files, stored in a
/// trace.dat's FTRACE EVENT FORMATS and EVENT FORMATS sections, trace-cmd.dat.v6.5/v7.5).</summary>
public sealed class EventFormat
{
    public required string System { get; init; }
    public required string Name { get; init; }
    public required int Id { get; init; }
    public required IReadOnlyList<EventField> Fields { get; init; }
    public required string PrintFormat { get; init; }
    /// <summary>The parsed print format, made on first use (most events of a file never occur in its data).</summary>
    internal PrintFormat? Printer;

    public EventField? Field(string name)
    {
        foreach (var f in Fields) if (f.Name == name) return f;
        return null;
    }

    /// <summary>Parses a format file's text; null when it lacks a name, an id or fields.</summary>
    public static EventFormat? Parse(string system, string text)
    {
        string? name = null, print = null;
        int id = -1;
        var fields = new List<EventField>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("name:", StringComparison.Ordinal)) name = line[5..].Trim();
            else if (line.StartsWith("ID:", StringComparison.Ordinal)) int.TryParse(line[3..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out id);
            else if (line.StartsWith("field:", StringComparison.Ordinal) && ParseField(line) is { } f) fields.Add(f);
            else if (line.StartsWith("print fmt:", StringComparison.Ordinal)) print = line[10..].Trim();
        }
        if (name is null || id < 0 || fields.Count == 0) return null;
        return new EventFormat { System = system, Name = name, Id = id, Fields = fields, PrintFormat = print ?? "" };
    }

    /// <summary><c>field:unsigned long caller[8];	offset:16;	size:64;	signed:0;</c></summary>
    private static EventField? ParseField(string line)
    {
        var parts = line.Split(';');
        if (parts.Length < 3) return null;
        var decl = parts[0]["field:".Length..].Trim();
        int offset = -1, size = -1;
        bool signed = false;
        foreach (var p in parts.AsSpan(1))
        {
            var kv = p.Trim();
            if (kv.StartsWith("offset:", StringComparison.Ordinal)) int.TryParse(kv[7..], NumberStyles.None, CultureInfo.InvariantCulture, out offset);
            else if (kv.StartsWith("size:", StringComparison.Ordinal)) int.TryParse(kv[5..], NumberStyles.None, CultureInfo.InvariantCulture, out size);
            else if (kv.StartsWith("signed:", StringComparison.Ordinal)) signed = kv[7..].Trim() == "1";
        }
        if (offset < 0 || size < 0) return null;
        // The name is the last identifier of the declaration, before an array bound: "char prev_comm[16]".
        int count = 0;
        bool array = false;
        var d = decl;
        if (d.EndsWith(']'))
        {
            int open = d.LastIndexOf('[');
            if (open < 0) return null;
            array = true;
            int.TryParse(d[(open + 1)..^1], NumberStyles.None, CultureInfo.InvariantCulture, out count);
            d = d[..open].TrimEnd();
        }
        int sp = d.LastIndexOfAny([' ', '*']);
        var name = d[(sp + 1)..];
        var type = sp < 0 ? "" : d[..(sp + 1)].Trim();
        // "__data_loc char[] cmd": the [] is part of the type.
        if (type.EndsWith("[]", StringComparison.Ordinal)) array = false;
        if (name.Length == 0) return null;
        return new EventField(name, type, offset, size, signed)
        {
            IsArray = array,
            ElementSize = array && count > 0 ? size / count : size,
        };
    }
}
