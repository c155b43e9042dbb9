namespace TraceForensics.Ingest.TraceDat;

/// <summary>The event record a trace.dat source read last, as bytes with their format (<see cref="RawRecord.Binary"/>):
/// its fields are read straight from the record by the offsets, sizes and signedness of the format description stored
/// in the file (tracefs <c>events/SYSTEM/EVENT/format</c>), and its payload text (as <c>trace-cmd report</c> prints it)
/// is rendered only when asked for (<see cref="Payload"/>), once per record. Valid until the source reads on.</summary>
public sealed class TraceDatEvent
{
    private readonly TraceDatFile _file;
    private readonly PayloadBuffer _payload = new();
    private byte[] _data = [];
    private int _offset, _length;
    private bool _rendered;

    internal TraceDatEvent(TraceDatFile file) => _file = file;

    /// <summary>The event's format (its name, system, fields and print format).</summary>
    public EventFormat Format { get; private set; } = null!;

    /// <summary>The record's bytes (the fields' offsets count from its start, <c>common_type</c> at 0).</summary>
    public ReadOnlySpan<byte> Data => _data.AsSpan(_offset, _length);

    internal void Set(EventFormat format, byte[] data, int offset, int length)
    {
        Format = format;
        _data = data;
        _offset = offset;
        _length = length;
        _rendered = false;
    }

    /// <summary>A numeric field's value, sign-extended when the format says it is signed; 0 when the record is too short
    /// for it (as the printed payload shows it: <see cref="PrintContext.ReadNumber"/>).</summary>
    public long Number(EventField f) => new PrintContext(Data, _file.BigEndian, _file.LongSize).ReadNumber(f.Offset, f.Size, f.Signed);

    /// <summary>A char array or <c>__data_loc</c> string field up to its first NUL, as <c>%s</c> prints it.</summary>
    public ReadOnlySpan<byte> Text(EventField f)
    {
        var data = Data;
        ReadOnlySpan<byte> s;
        if (f.IsDataLoc || f.IsRelLoc)
        {
            var (o, l) = new PrintContext(data, _file.BigEndian, _file.LongSize).DataLoc(f);
            s = data.Slice(o, l);
        }
        else s = f.Offset > data.Length ? default : data.Slice(f.Offset, Math.Min(f.Size, data.Length - f.Offset));
        int nul = s.IndexOf((byte)0);
        return nul >= 0 ? s[..nul] : s;
    }

    /// <summary>The payload as <c>trace-cmd report</c> prints it (<see cref="TraceDatRecordSource.ReportLine"/>), rendered
    /// from the event's print format on the first call for this record.</summary>
    public ReadOnlySpan<byte> Payload()
    {
        if (!_rendered)
        {
            TraceDatRecordSource.RenderPayload(_file, Format, Data, _payload);
            _rendered = true;
        }
        return TraceDatRecordSource.TrimEnd(_payload.Span);
    }

    /// <summary>True when the print format's text cannot start with '(' (it starts with a literal that does not, or with
    /// a number): the event is then not read as a kprobe's <c>(address)</c> header, whatever its fields hold.</summary>
    public bool PayloadNeverStartsWithParen => (Format.Printer ??= PrintFormat.Parse(Format, _file.LongSize)).NeverStartsWithParen;
}
