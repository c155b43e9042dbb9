using System.Buffers.Binary;
using System.Text;
using TraceForensics.Ingest.TraceDat;

namespace TraceForensics.Tests.Ingest;

/// <summary>Payloads rendered from the format descriptions a trace.dat stores (the formats of kernel 6.18, copied from
/// the shared capture), as <c>trace-cmd report -N</c> prints them.</summary>
public sealed class TraceDatPrintFormatTests
{
    private const string Common =
        "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n" +
        "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n";

    private const string SchedSwitch = "name: sched_switch\nID: 372\nformat:\n" + Common +
        "\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;\n\tfield:pid_t prev_pid;\toffset:24;\tsize:4;\tsigned:1;\n" +
        "\tfield:int prev_prio;\toffset:28;\tsize:4;\tsigned:1;\n\tfield:long prev_state;\toffset:32;\tsize:8;\tsigned:1;\n" +
        "\tfield:char next_comm[16];\toffset:40;\tsize:16;\tsigned:0;\n\tfield:pid_t next_pid;\toffset:56;\tsize:4;\tsigned:1;\n" +
        "\tfield:int next_prio;\toffset:60;\tsize:4;\tsigned:1;\n\n" +
        "print fmt: \"prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s%s ==> next_comm=%s next_pid=%d next_prio=%d\", REC->prev_comm, REC->prev_pid, REC->prev_prio, (REC->prev_state & ((((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) - 1)) ? __print_flags(REC->prev_state & ((((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) - 1), \"|\", { 0x00000001, \"S\" }, { 0x00000002, \"D\" }, { 0x00000004, \"T\" }, { 0x00000008, \"t\" }, { 0x00000010, \"X\" }, { 0x00000020, \"Z\" }, { 0x00000040, \"P\" }, { 0x00000080, \"I\" }) : \"R\", REC->prev_state & (((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) ? \"+\" : \"\", REC->next_comm, REC->next_pid, REC->next_prio\n";

    private const string RqIssue = "name: block_rq_issue\nID: 2108\nformat:\n" + Common +
        "\tfield:dev_t dev;\toffset:8;\tsize:4;\tsigned:0;\n\tfield:sector_t sector;\toffset:16;\tsize:8;\tsigned:0;\n" +
        "\tfield:unsigned int nr_sector;\toffset:24;\tsize:4;\tsigned:0;\n\tfield:unsigned int bytes;\toffset:28;\tsize:4;\tsigned:0;\n" +
        "\tfield:unsigned short ioprio;\toffset:32;\tsize:2;\tsigned:0;\n\tfield:char rwbs[10];\toffset:34;\tsize:10;\tsigned:0;\n" +
        "\tfield:char comm[16];\toffset:44;\tsize:16;\tsigned:0;\n\tfield:__data_loc char[] cmd;\toffset:60;\tsize:4;\tsigned:0;\n\n" +
        "print fmt: \"%d,%d %s %u (%s) %llu + %u %s,%u,%u [%s]\", ((unsigned int) ((REC->dev) >> 20)), ((unsigned int) ((REC->dev) & ((1U << 20) - 1))), REC->rwbs, REC->bytes, __get_str(cmd), (unsigned long long)REC->sector, REC->nr_sector, __print_symbolic((((REC->ioprio) >> 13) & (8 - 1)), { IOPRIO_CLASS_NONE, \"none\" }, { IOPRIO_CLASS_RT, \"rt\" }, { IOPRIO_CLASS_BE, \"be\" }, { IOPRIO_CLASS_IDLE, \"idle\" }, { IOPRIO_CLASS_INVALID, \"invalid\"}), (((REC->ioprio) >> 3) & ((1 << 10) - 1)), ((REC->ioprio) & ((1 << 3) - 1)), REC->comm\n";

    private static string Render(string formatText, byte[] record)
    {
        var format = EventFormat.Parse("test", formatText)!;
        var printer = PrintFormat.Parse(format, longSize: 8);
        Assert.Null(printer.Problem);
        var output = new PayloadBuffer();
        var c = new PrintContext(record, bigEndian: false, longSize: 8);
        printer.Render(ref c, output, Kallsyms.Empty);
        return output.ToString();
    }

    private static byte[] Switch(long prevState)
    {
        var r = new byte[64];
        Encoding.ASCII.GetBytes("kworker/u8:1").CopyTo(r, 8);
        BinaryPrimitives.WriteInt32LittleEndian(r.AsSpan(24), 33);
        BinaryPrimitives.WriteInt32LittleEndian(r.AsSpan(28), 120);
        BinaryPrimitives.WriteInt64LittleEndian(r.AsSpan(32), prevState);
        Encoding.ASCII.GetBytes("dd").CopyTo(r, 40);
        BinaryPrimitives.WriteInt32LittleEndian(r.AsSpan(56), 4256);
        BinaryPrimitives.WriteInt32LittleEndian(r.AsSpan(60), 120);
        return r;
    }

    [Theory]
    [InlineData(0x0, "R")]
    [InlineData(0x1, "S")]
    [InlineData(0x2, "D")]
    [InlineData(0x80, "I")]     // TASK_REPORT_IDLE: libtraceevent's sched_switch plugin prints W here
    [InlineData(0x100, "R+")]   // TASK_REPORT_MAX: preempted
    [InlineData(0x82, "D|I")]
    public void Sched_switch_prev_state_comes_from_the_print_flags_table(long state, string printed)
    {
        Assert.Equal($"prev_comm=kworker/u8:1 prev_pid=33 prev_prio=120 prev_state={printed} ==> next_comm=dd next_pid=4256 next_prio=120",
            Render(SchedSwitch, Switch(state)));
    }

    [Fact]
    public void One_printer_over_many_records_gives_each_its_own_print_flags_text()
    {
        // The flags' text is cached per value: the same printer over records with other and repeated values.
        var format = EventFormat.Parse("test", SchedSwitch)!;
        var printer = PrintFormat.Parse(format, longSize: 8);
        var seen = new List<string>();
        foreach (long state in new long[] { 0x1, 0x2, 0x1, 0x82, 0x0, 0x2, 0x82 })
        {
            var output = new PayloadBuffer();
            var c = new PrintContext(Switch(state), bigEndian: false, longSize: 8);
            printer.Render(ref c, output, Kallsyms.Empty);
            var text = output.ToString();
            seen.Add(text[(text.IndexOf("prev_state=", StringComparison.Ordinal) + 11)..text.IndexOf(" ==>", StringComparison.Ordinal)]);
        }
        Assert.Equal(["S", "D", "S", "D|I", "R", "D", "D|I"], seen);
    }

    private const string Numbers = "name: numbers\nID: 9\nformat:\n" + Common +
        "\tfield:int value;\toffset:8;\tsize:4;\tsigned:1;\n\tfield:unsigned long word;\toffset:16;\tsize:8;\tsigned:0;\n\n" +
        "print fmt: \"[%03d] [%5d] [%-5d] [%05d] [%+d] [%.4d] [%x] [%#x] [%#X] [%08lx] [%-6u] [%hhd] [%5.3d]\", " +
        "REC->value, REC->value, REC->value, REC->value, REC->value, REC->value, REC->word, REC->word, REC->word, REC->word, REC->value, REC->value, REC->value\n";

    [Theory]
    [InlineData(7, 0x1fUL, "[007] [    7] [7    ] [00007] [+7] [0007] [1f] [0x1f] [0X1F] [0000001f] [7     ] [7] [  007]")]
    [InlineData(-42, 0UL, "[-42] [  -42] [-42  ] [-0042] [-42] [-0042] [0] [0] [0] [00000000] [4294967254] [-42] [ -042]")]
    // %x is an int (32 bits) as in C; %lx the file's long.
    [InlineData(123456, 0xdeadbeefcafeUL, "[123456] [123456] [123456] [123456] [+123456] [123456] [beefcafe] [0xbeefcafe] [0XBEEFCAFE] [deadbeefcafe] [123456] [64] [123456]")]
    public void Integers_with_flags_width_and_precision_print_as_printf_does(int value, ulong word, string printed)
    {
        var r = new byte[24];
        BinaryPrimitives.WriteInt32LittleEndian(r.AsSpan(8), value);
        BinaryPrimitives.WriteUInt64LittleEndian(r.AsSpan(16), word);
        Assert.Equal(printed, Render(Numbers, r));
    }

    private const string Prefixes = "name: prefixes\nID: 10\nformat:\n" + Common +
        "\tfield:int value;\toffset:8;\tsize:4;\tsigned:1;\n\n" +
        "print fmt: \"[%#08x] [%#o] [%.0d] [%+05d] [%-#6x] [% d] [%#.3o] [%08.3d] [%#x]\", " +
        "REC->value, REC->value, REC->value, REC->value, REC->value, REC->value, REC->value, REC->value, REC->value\n";

    /// <summary>The zeros of '0' go after the sign and the "0x" prefix, a precision turns '0' off, precision 0 prints
    /// no digit for 0, %#o has one leading 0: the expected text is what the C library's printf prints (bash's printf
    /// builtin, 2026-12-03), as libtraceevent's does for `trace-cmd report`.</summary>
    [Theory]
    [InlineData(7, "[0x000007] [07] [7] [+0007] [0x7   ] [ 7] [007] [     007] [0x7]")]
    [InlineData(-7, "[0xfffffff9] [037777777771] [-7] [-0007] [0xfffffff9] [-7] [037777777771] [    -007] [0xfffffff9]")]
    [InlineData(0, "[00000000] [0] [] [+0000] [0     ] [ 0] [000] [     000] [0]")]
    public void Signs_prefixes_and_zeros_go_where_printf_puts_them(int value, string printed)
    {
        var r = new byte[12];
        BinaryPrimitives.WriteInt32LittleEndian(r.AsSpan(8), value);
        Assert.Equal(printed, Render(Prefixes, r));
    }

    [Fact]
    public void Block_request_decodes_dev_data_loc_and_unknown_symbols_as_trace_cmd_does()
    {
        var r = new byte[72];
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(8), 7u << 20 | 3);
        BinaryPrimitives.WriteUInt64LittleEndian(r.AsSpan(16), 32);
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(24), 8);
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(28), 4096);
        BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(32), 2 << 13 | 4);
        Encoding.ASCII.GetBytes("RM").CopyTo(r, 34);
        Encoding.ASCII.GetBytes("dd").CopyTo(r, 44);
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(60), 0u << 16 | 64); // an empty cmd at offset 64
        // IOPRIO_CLASS_* are not defined in the file: the class prints as hex (trace-cmd report prints "0x2,0,4").
        Assert.Equal("7,3 RM 4096 () 32 + 8 0x2,0,4 [dd]", Render(RqIssue, r));
    }

    [Theory]
    [InlineData("print fmt: \"%d\", REC->", "print fmt of")]
    [InlineData("print fmt: REC->x", "does not start with a string")]
    [InlineData("print fmt: \"%d %s\", (((REC->prev_pid)", "expected")]
    public void A_print_format_that_cannot_be_read_is_a_problem_not_a_crash(string print, string why)
    {
        var format = EventFormat.Parse("test", "name: x\nID: 9\nformat:\n" + Common + "\tfield:pid_t prev_pid;\toffset:8;\tsize:4;\tsigned:1;\n\n" + print + "\n")!;
        var printer = PrintFormat.Parse(format, 8);
        Assert.Contains(why, printer.Problem);
    }

    [Fact]
    public void A_record_shorter_than_its_format_renders_without_reading_past_it()
    {
        var text = Render(SchedSwitch, Switch(2)[..30]);
        Assert.StartsWith("prev_comm=kworker/u8:1 prev_pid=33 ", text);
    }
}

/// <summary>The compressions a version-7 trace.dat names: zlib (trace-cmd here cannot write it, so its round trip is
/// pinned here) and zstd; bad data is a <see cref="TraceDatException"/>, not a crash.</summary>
public sealed class TraceDatCompressionTests
{
    [Theory]
    [InlineData("zlib")]
    [InlineData("zstd")]
    public void A_section_round_trips_and_bad_data_is_reported(string name)
    {
        var plain = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("name: sched_switch\nID: 372\n", 200)));
        byte[] packed;
        if (name == "zlib")
        {
            using var m = new MemoryStream();
            using (var z = new System.IO.Compression.ZLibStream(m, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true)) z.Write(plain);
            packed = m.ToArray();
        }
        else packed = new ZstdSharp.Compressor().Wrap(plain).ToArray();
        var c = new SectionCompression(name);
        Assert.Equal(plain, c.Decompress(packed, plain.Length, "test"));
        Assert.Throws<TraceDatException>(() => c.Decompress(packed, plain.Length + 1, "test"));
        Assert.Throws<TraceDatException>(() => c.Decompress(packed[..(packed.Length / 2)], plain.Length, "test"));
    }
}
