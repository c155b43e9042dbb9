using System.Buffers.Binary;
using System.IO.Compression;

namespace TraceForensics.Ingest.Input;

/// <summary>Reads a gzip input member after member (RFC 1952 2.2: "a gzip file consists of a series of members"):
/// each member's header is read here (2.3.1: ID1 ID2 CM FLG MTIME XFL OS, then FEXTRA, FNAME, FCOMMENT, FHCRC as its
/// flags say), its deflate data by .NET's <see cref="DeflateStream"/> (RFC 1951, raw), and its trailer (CRC-32 of the
/// data, then ISIZE, its length mod 2^32, 4 bytes each, little-endian) checked here. So a file cut short, a damaged
/// member and several members one after another are told apart without looking inside the decompressor.
/// <para>The decompressor does not say how many of the bytes it was given it used. It is given the compressed bytes in
/// slices and asks for the next only when it has used all of the last, so its member ends inside the last slice it
/// was given; the trailer, whose 8 bytes are known once the data is decompressed (its CRC-32 and length), is found
/// there, and the next member starts after it.</para></summary>
internal sealed class GzipMemberReader : ReadOnlyWrapperStream
{
    /// <summary>Compressed bytes held: a slice given to the decompressor is at most this less <see cref="TrailerBytes"/>,
    /// so the slice and the trailer after it always fit.</summary>
    private const int InBytes = 8192;
    private const int TrailerBytes = 8;

    private readonly byte[] _in = new byte[InBytes];
    private int _start, _end;            // compressed bytes read and not yet used: _in[_start.._end)
    private int _sliceStart, _sliceEnd;  // the slice last given to the decompressor
    private bool _eof;                   // the compressed input has ended
    private bool _deflateAskedPastEnd;   // the decompressor wanted more than the input had
    private bool _tailGiven;             // the decompressor was given bytes of the input's last 8
    private DeflateStream? _deflate;     // the current member's data
    private uint _crc, _size;            // of the current member's decompressed bytes
    private int _members;                // members read to their trailer
    private bool _done;

    public GzipMemberReader(Stream compressed) : base(compressed) { }

    private const string CutShort = "the gzip data ends before its trailer: the file is cut short";
    private const string BadTrailer = "the gzip data is corrupt: a member's trailer (CRC-32, length) does not match its data";

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty || _done) return 0;
        while (true)
        {
            if (_deflate is null && !StartMember())
            {
                _done = true;
                return 0;
            }
            int n;
            try
            {
                n = _deflate!.Read(buffer);
            }
            catch (InvalidDataException e)
            {
                _done = true;
                throw new InvalidDataException(_deflateAskedPastEnd ? CutShort : "the gzip data is corrupt: a member's compressed data is not valid deflate data", e);
            }
            if (n > 0)
            {
                _crc = Crc32.Append(_crc, buffer[..n]);
                _size += (uint)n;
                return n;
            }
            EndMember();
        }
    }

    /// <summary>Reads the next member's header and starts its data; false at the end of the input (after the last member,
    /// or zero bytes padding it, as gzip(1) allows).</summary>
    private bool StartMember()
    {
        if (!Fill(1)) return _members > 0 ? false : throw Fail(CutShort);
        if (_members > 0 && _in[_start] != 0x1f)
        {
            // gzip(1): "decompression OK, trailing zero bytes ignored"; anything else after a member is not gzip data.
            while (Fill(1))
            {
                if (_in.AsSpan(_start, _end - _start).ContainsAnyExcept((byte)0))
                    throw Fail("the gzip data goes on after its last member with bytes that are not a gzip member (not read)");
                _start = _end;
            }
            return false;
        }
        uint headerCrc = 0;
        Span<byte> fixedPart = stackalloc byte[10];
        for (int i = 0; i < fixedPart.Length; i++) fixedPart[i] = HeaderByte(ref headerCrc);
        if (fixedPart[0] != 0x1f || fixedPart[1] != 0x8b) throw Fail("the gzip data goes on after a member with bytes that are not a gzip member (not read)");
        if (fixedPart[2] != 8) throw Fail($"a gzip member with compression method {fixedPart[2]}, not deflate (8, RFC 1952 2.3.1)");
        byte flags = fixedPart[3];
        if ((flags & 0xE0) != 0) throw Fail("a gzip member header with reserved flag bits set (RFC 1952 2.3.1.2: an error)");
        if ((flags & 0x04) != 0) // FEXTRA: XLEN, then XLEN bytes
        {
            int xlen = HeaderByte(ref headerCrc) | HeaderByte(ref headerCrc) << 8;
            for (int i = 0; i < xlen; i++) HeaderByte(ref headerCrc);
        }
        if ((flags & 0x08) != 0) while (HeaderByte(ref headerCrc) != 0) { } // FNAME, zero-terminated
        if ((flags & 0x10) != 0) while (HeaderByte(ref headerCrc) != 0) { } // FCOMMENT, zero-terminated
        if ((flags & 0x02) != 0) // FHCRC: the two least significant bytes of the CRC-32 of the header before it
        {
            uint expected = headerCrc & 0xffff;
            uint crc16 = (uint)(HeaderByte(ref headerCrc) | HeaderByte(ref headerCrc) << 8);
            if (crc16 != expected) throw Fail("the gzip data is corrupt: a member's header CRC (FHCRC) does not match its header");
        }
        _deflate = new DeflateStream(new Feed(this), CompressionMode.Decompress, leaveOpen: false);
        _crc = _size = 0;
        _deflateAskedPastEnd = _tailGiven = false;
        return true;
    }

    private byte HeaderByte(ref uint crc)
    {
        if (!Fill(1)) throw Fail(_members == 0 && _end == 0 ? CutShort : "the gzip data ends inside a member's header: the file is cut short");
        byte b = _in[_start++];
        crc = Crc32.Append(crc, [b]);
        return b;
    }

    /// <summary>The member's data has ended: finds its trailer in or just after the last slice and checks it.</summary>
    private void EndMember()
    {
        _deflate!.Dispose();
        _deflate = null;
        Span<byte> trailer = stackalloc byte[TrailerBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, _crc);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], _size);
        _done = true;
        // The decompressor took bytes of the input's last 8: its data does not leave room for a whole trailer.
        if (_deflateAskedPastEnd || _tailGiven) throw Fail(CutShort);
        int slice = _sliceEnd - _sliceStart;
        _start = _sliceStart; // the slice is still held: only bytes before _start are ever overwritten
        if (!Fill(slice + TrailerBytes)) throw Fail(CutShort); // not reached: a slice leaves 8 bytes held after it
        int at = _in.AsSpan(_start, slice + TrailerBytes).IndexOf(trailer);
        if (at < 0) throw Fail(BadTrailer);
        _start += at + TrailerBytes;
        _members++;
        _done = false;
    }

    /// <summary>Makes at least <paramref name="bytes"/> unused bytes held (moving them to the front of the buffer and
    /// reading more); false when the input ends first.</summary>
    private bool Fill(int bytes)
    {
        if (_end - _start >= bytes) return true;
        if (_start > 0)
        {
            _in.AsSpan(_start, _end - _start).CopyTo(_in);
            _end -= _start;
            _sliceEnd -= _start;
            _sliceStart -= _start;
            _start = 0;
        }
        while (_end - _start < bytes && !_eof)
        {
            int n = Inner.Read(_in.AsSpan(_end));
            if (n == 0) _eof = true;
            _end += n;
        }
        return _end - _start >= bytes;
    }

    private InvalidDataException Fail(string message)
    {
        _done = true;
        return new InvalidDataException(message);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _deflate?.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>What the decompressor reads: the held compressed bytes, one slice at a time. A slice always leaves the
    /// last 8 bytes held unread (a trailer's room), unless the input has ended and the decompressor still asks: then it
    /// gets them, and its member is cut.</summary>
    private sealed class Feed(GzipMemberReader owner) : ReadOnlyWrapperStream(Stream.Null)
    {
        public override int Read(Span<byte> buffer)
        {
            var o = owner;
            if (buffer.IsEmpty) return 0;
            o.Fill(TrailerBytes + 1);
            int held = o._end - o._start;
            int n = held > TrailerBytes ? held - TrailerBytes : held;
            if (n == 0)
            {
                o._deflateAskedPastEnd = true;
                return 0;
            }
            if (held <= TrailerBytes) o._tailGiven = true;
            n = Math.Min(n, buffer.Length);
            o._in.AsSpan(o._start, n).CopyTo(buffer);
            o._sliceStart = o._start;
            o._sliceEnd = o._start += n;
            return n;
        }
    }
}
