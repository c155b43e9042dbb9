using System.Text;
using TraceForensics.Ingest.Input;

namespace TraceForensics.Tests.Ingest;

/// <summary>Runs of lines read straight into a buffer of the caller's (<see cref="LineReader.TryReadLinesInto"/>, the
/// parallel reading's) are the lines <see cref="LineReader.Read"/> gives one by one, at the same offsets: on inputs of
/// random lines (empty, carriage returns, longer than the run, longer than the line limit, a last line without a
/// newline) from a stream that hands out few bytes a read, with runs switched to and from reading line by line.</summary>
public class LineReaderRunTests
{
    public static TheoryData<int> Seeds => new(Enumerable.Range(1, 8));

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Runs_read_into_a_buffer_are_the_lines_read_one_by_one(int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        int lines = random.Next(50, 400);
        for (int i = 0; i < lines; i++)
        {
            int length = random.Next(10) switch { 0 => 0, 1 => random.Next(100, 300), _ => random.Next(1, 40) };
            for (int j = 0; j < length; j++) text.Append((char)('a' + random.Next(26)));
            if (random.Next(8) == 0) text.Append('\r');
            if (i < lines - 1 || random.Next(2) == 0) text.Append('\n');
        }
        var bytes = Encoding.ASCII.GetBytes(text.ToString());
        const int maxLine = 128;
        var expected = new List<string>();
        using (var reader = new LineReader(new Trickle(bytes, random.Next(1, 100)), maxLine, 64))
        {
            while (true)
            {
                var status = reader.Read(out var line);
                if (status == LineStatus.End) break;
                expected.Add(Say(status, line, reader.LineOffset, reader.LineLength));
            }
        }
        var got = new List<string>();
        using (var reader = new LineReader(new Trickle(bytes, random.Next(1, 100)), maxLine, 64))
        {
            var target = new byte[random.Next(16, 200)];
            while (true)
            {
                if (random.Next(4) > 0 && reader.TryReadLinesInto(ref target, out int length, out long offset))
                {
                    Assert.True(length > 0 && target[length - 1] == (byte)'\n');
                    int start = 0;
                    while (start < length)
                    {
                        int nl = Array.IndexOf(target, (byte)'\n', start, length - start);
                        var line = target.AsSpan(start, nl - start);
                        if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
                        got.Add(Say(LineStatus.Line, line, offset + start, nl + 1 - start));
                        start = nl + 1;
                    }
                    Assert.Equal(offset + length, reader.LineOffset);
                    continue;
                }
                var status = reader.Read(out var one);
                if (status == LineStatus.End) break;
                got.Add(Say(status, one, reader.LineOffset, reader.LineLength));
            }
        }
        Assert.Equal(expected, got);
        Assert.Contains(expected, l => l.StartsWith("Overlong", StringComparison.Ordinal));
    }

    private static string Say(LineStatus status, ReadOnlySpan<byte> line, long offset, long length) =>
        status == LineStatus.Overlong ? $"Overlong {offset} {length}" : $"{status} {offset} {Encoding.ASCII.GetString(line)}";

    /// <summary>A stream that hands out at most a few bytes a read, as a pipe may.</summary>
    private sealed class Trickle(byte[] bytes, int most) : Stream
    {
        private int _at;
        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, most), bytes.Length - _at);
            bytes.AsSpan(_at, n).CopyTo(buffer.AsSpan(offset));
            _at += n;
            return n;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => bytes.Length;
        public override long Position { get => _at; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
