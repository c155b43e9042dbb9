using System.Text;
using static TraceForensics.Ingest.Formats.AsciiSpan;

namespace TraceForensics.Ingest.Formats;

/// <summary>Reads a topology file (README, "The topology file"): the first line <c># tracefx topology v1</c>, then one
/// fact per line, <c>KIND MAJ:MIN</c> and the kind's fields separated by single spaces. Bytes a path may hold that would
/// break a line or a field (space, tab, newline, backslash, other control characters) are written as <c>\ooo</c>
/// octal, the escaping of /proc/self/mountinfo (fs/proc_namespace.c, <c>show_mountinfo()</c> -&gt; <c>seq_path_root()</c>
/// -&gt; <c>mangle_path()</c> with " \t\n\\"). A known line is an event (<c>topology_loop</c>, <c>topology_mount</c>,
/// <c>topology_dm</c>) at time 0, its facts typed in <see cref="RawRecord.Topology"/>; a line of an unknown kind is
/// <see cref="RecordKind.Skipped"/> (a newer writer's fact); a malformed one is <see cref="RecordKind.Unrecognized"/>
/// with the reason.</summary>
public sealed class TopologyTokenizer
{
    /// <summary>The first line of every topology file, before its version number.</summary>
    public static ReadOnlySpan<byte> Magic => "# tracefx topology v"u8;

    /// <summary>The version this reader knows.</summary>
    public const int Version = 1;

    private readonly TopologyFact _fact = new();

    /// <summary>True when <paramref name="line"/> is a topology file's first line (any version).</summary>
    public static bool IsHeader(ReadOnlySpan<byte> line) =>
        line.StartsWith(Magic) && TryParseInt(TrimEnd(line[Magic.Length..]), out _);

    public void Tokenize(ReadOnlySpan<byte> line, ref RawRecord r)
    {
        r.Reset();
        r.TimestampNs = 0; // the topology holds for the whole capture
        if (IsBlank(line)) { r.Kind = RecordKind.Blank; return; }
        if (line[0] == (byte)'#')
        {
            r.Kind = RecordKind.Header;
            if (IsHeader(line) && TryParseInt(TrimEnd(line[Magic.Length..]), out int version) && version > Version)
            {
                r.Kind = RecordKind.Skipped;
                r.Problem = $"topology format v{version} is newer than v{Version}: its facts of kinds v{Version} does not know are skipped";
            }
            return;
        }
        var rest = TrimEnd(line);
        var kind = Next(ref rest);
        var fact = _fact;
        fact.Reset();
        if (kind.SequenceEqual("loop"u8)) { fact.Kind = TopologyFactKind.Loop; r.Event = "topology_loop"u8; }
        else if (kind.SequenceEqual("mount"u8)) { fact.Kind = TopologyFactKind.Mount; r.Event = "topology_mount"u8; }
        else if (kind.SequenceEqual("dm"u8)) { fact.Kind = TopologyFactKind.DmDevice; r.Event = "topology_dm"u8; }
        else
        {
            r.Kind = RecordKind.Skipped;
            r.Problem = $"a topology line of kind '{Unescape(kind)}' that topology v{Version} does not know; skipped";
            return;
        }
        if (!TryDevice(Next(ref rest), out fact.Major, out fact.Minor))
        {
            Bad(ref r, $"{Unescape(kind)}: the device is not MAJ:MIN");
            return;
        }
        string? problem = fact.Kind switch
        {
            TopologyFactKind.Loop => Loop(rest, fact),
            TopologyFactKind.Mount => Mount(rest, fact),
            _ => Dm(rest, fact),
        };
        if (problem is not null) { Bad(ref r, problem); return; }
        r.Kind = RecordKind.Event;
        r.Topology = fact;
    }

    private static string? Loop(ReadOnlySpan<byte> rest, TopologyFact fact)
    {
        while (!rest.IsEmpty)
        {
            var field = Next(ref rest);
            if (!TryField(field, out var key, out var value)) continue; // a field of a newer version: ignored
            if (key.SequenceEqual("backing_file"u8)) fact.BackingFile = Unescape(value);
            else if (key.SequenceEqual("name"u8)) fact.LoopName = Unescape(value);
            else if (key.SequenceEqual("fs"u8))
            {
                if (!TryDevice(value, out int major, out int minor)) return "loop: fs= is not MAJ:MIN";
                fact.BackingFsMajor = major;
                fact.BackingFsMinor = minor;
            }
        }
        return fact.BackingFile is null or "" ? "loop: no backing_file=" : null;
    }

    private static string? Mount(ReadOnlySpan<byte> rest, TopologyFact fact)
    {
        var point = Next(ref rest);
        var type = Next(ref rest);
        if (point.IsEmpty || type.IsEmpty) return "mount: wants MAJ:MIN MOUNT_POINT FSTYPE";
        fact.MountPoint = Unescape(point);
        fact.FsType = Unescape(type);
        return null;
    }

    private static string? Dm(ReadOnlySpan<byte> rest, TopologyFact fact)
    {
        while (!rest.IsEmpty)
        {
            var field = Next(ref rest);
            if (!TryField(field, out var key, out var value)) continue;
            if (key.SequenceEqual("name"u8)) fact.DmName = Unescape(value);
            else if (key.SequenceEqual("table"u8)) fact.DmTable = Unescape(value);
            else if (key.SequenceEqual("slaves"u8))
            {
                var slaves = new List<(int, int)>();
                while (!value.IsEmpty)
                {
                    int comma = value.IndexOf((byte)',');
                    var one = comma < 0 ? value : value[..comma];
                    value = comma < 0 ? default : value[(comma + 1)..];
                    if (!TryDevice(one, out int major, out int minor)) return "dm: slaves= is not a list of MAJ:MIN";
                    slaves.Add((major, minor));
                }
                fact.Slaves = [.. slaves];
            }
        }
        return fact.DmName is null ? "dm: no name=" : null;
    }

    private static void Bad(ref RawRecord r, string problem)
    {
        r.Kind = RecordKind.Unrecognized;
        r.Event = default;
        r.Problem = problem;
    }

    /// <summary>The next space-separated field; empty at the end.</summary>
    private static ReadOnlySpan<byte> Next(ref ReadOnlySpan<byte> rest)
    {
        int sp = rest.IndexOf((byte)' ');
        var field = sp < 0 ? rest : rest[..sp];
        rest = sp < 0 ? default : rest[(sp + 1)..];
        return field;
    }

    private static bool TryField(ReadOnlySpan<byte> field, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        int eq = field.IndexOf((byte)'=');
        key = eq < 0 ? default : field[..eq];
        value = eq < 0 ? default : field[(eq + 1)..];
        return eq > 0;
    }

    /// <summary><c>MAJ:MIN</c>, both decimal.</summary>
    public static bool TryDevice(ReadOnlySpan<byte> s, out int major, out int minor)
    {
        major = minor = 0;
        int colon = s.IndexOf((byte)':');
        return colon > 0 && TryParseInt(s[..colon], out major) && TryParseInt(s[(colon + 1)..], out minor);
    }

    /// <summary>Undoes the <c>\ooo</c> escaping (three octal digits; a backslash not followed by them is kept as is).
    /// The bytes are UTF-8; invalid sequences become U+FFFD.</summary>
    public static string Unescape(ReadOnlySpan<byte> s)
    {
        if (s.IndexOf((byte)'\\') < 0) return Encoding.UTF8.GetString(s);
        var bytes = new byte[s.Length];
        int n = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == (byte)'\\' && IsOctal(s, i + 1))
            {
                bytes[n++] = (byte)(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
                i += 3;
            }
            else bytes[n++] = s[i];
        }
        return Encoding.UTF8.GetString(bytes, 0, n);
    }

    private static bool IsOctal(ReadOnlySpan<byte> s, int at) =>
        at + 2 < s.Length && s[at] is >= (byte)'0' and <= (byte)'3' && s[at + 1] is >= (byte)'0' and <= (byte)'7' && s[at + 2] is >= (byte)'0' and <= (byte)'7';
}
