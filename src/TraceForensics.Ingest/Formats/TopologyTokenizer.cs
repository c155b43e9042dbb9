using System.Text;
using static TraceForensics.Ingest.Formats.AsciiSpan;

namespace TraceForensics.Ingest.Formats;

/// <summary>Reads a topology file (README, "The topology file"): the first line <c># tracefx topology vN</c>, then one
/// fact per line, <c>KIND MAJ:MIN</c> (a btrfs line: <c>btrfs FSID</c>) and the kind's fields separated by single spaces.
/// Version 2 added the kinds <c>fs</c> and <c>btrfs</c>, version 3 <c>fusedev</c>, version 4 <c>stack</c>; they are read whatever the version line says (a v1 file of a
/// writer that had them is read the same), and a version-1 reader skips them as unknown kinds. Bytes a path may hold that would
/// break a line or a field (space, tab, newline, backslash, other control characters) are written as <c>\ooo</c>
/// octal, the escaping of /proc/self/mountinfo (fs/proc_namespace.c, <c>show_mountinfo()</c> -&gt; <c>seq_path_root()</c>
/// -&gt; <c>mangle_path()</c> with " \t\n\\"). A known line is an event (<c>topology_loop</c>, <c>topology_mount</c>,
/// <c>topology_dm</c>, <c>topology_fs</c>, <c>topology_btrfs</c>) at time 0, its facts typed in <see cref="RawRecord.Topology"/>; a line of an unknown kind is
/// <see cref="RecordKind.Skipped"/> (a newer writer's fact); a malformed one is <see cref="RecordKind.Unrecognized"/>
/// with the reason.</summary>
public sealed class TopologyTokenizer
{
    /// <summary>The first line of every topology file, before its version number.</summary>
    public static ReadOnlySpan<byte> Magic => "# tracefx topology v"u8;

    /// <summary>The version this reader knows.</summary>
    public const int Version = 4;

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
        else if (kind.SequenceEqual("fs"u8)) { fact.Kind = TopologyFactKind.Filesystem; r.Event = "topology_fs"u8; }
        else if (kind.SequenceEqual("btrfs"u8)) { fact.Kind = TopologyFactKind.Btrfs; r.Event = "topology_btrfs"u8; }
        else if (kind.SequenceEqual("fusedev"u8)) { fact.Kind = TopologyFactKind.FuseDevHolder; r.Event = "topology_fusedev"u8; }
        else if (kind.SequenceEqual("stack"u8)) { fact.Kind = TopologyFactKind.ThreadStack; r.Event = "topology_stack"u8; }
        else
        {
            r.Kind = RecordKind.Skipped;
            r.Problem = $"a topology line of kind '{Unescape(kind)}' that topology v{Version} does not know; skipped";
            return;
        }
        if (fact.Kind == TopologyFactKind.Btrfs)
        {
            var fsid = Next(ref rest);
            if (!AsciiSpan.IsUuid(fsid))
            {
                Bad(ref r, "btrfs: the fsid is not a UUID as %pU prints it (8-4-4-4-12 lowercase hex)");
                return;
            }
            fact.Fsid = Encoding.ASCII.GetString(fsid);
        }
        else if (!TryDevice(Next(ref rest), out fact.Major, out fact.Minor))
        {
            Bad(ref r, $"{Unescape(kind)}: the device is not MAJ:MIN");
            return;
        }
        else fact.HasDevice = true;
        string? problem = fact.Kind switch
        {
            TopologyFactKind.Loop => Loop(rest, fact),
            TopologyFactKind.Mount => Mount(rest, fact),
            TopologyFactKind.Filesystem => Filesystem(rest, fact),
            TopologyFactKind.Btrfs => Btrfs(rest, fact),
            TopologyFactKind.FuseDevHolder => FuseDev(rest, fact),
            TopologyFactKind.ThreadStack => ThreadStack(rest, fact),
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

    private static string? Filesystem(ReadOnlySpan<byte> rest, TopologyFact fact)
    {
        while (!rest.IsEmpty)
        {
            var field = Next(ref rest);
            if (!TryField(field, out var key, out var value)) continue;
            if (key.SequenceEqual("type"u8)) fact.FsType = Unescape(value);
            else if (key.SequenceEqual("bdi"u8))
            {
                if (value.IsEmpty) return "fs: bdi= is empty";
                fact.Bdi = Unescape(value);
            }
            else if (key.SequenceEqual("blocksize"u8))
            {
                if (!TryParseDecimal(value, out long size) || size <= 0) return "fs: blocksize= is not a positive number of bytes";
                fact.BlockSize = size;
            }
        }
        return fact.FsType is null or "" ? "fs: no type=" : null;
    }

    private static string? Btrfs(ReadOnlySpan<byte> rest, TopologyFact fact)
    {
        while (!rest.IsEmpty)
        {
            var field = Next(ref rest);
            if (!TryField(field, out var key, out var value)) continue;
            if (key.SequenceEqual("bdi"u8))
            {
                if (value.IsEmpty) return "btrfs: bdi= is empty";
                fact.Bdi = Unescape(value);
            }
            else if (key.SequenceEqual("anon"u8))
            {
                if (!TryDevice(value, out fact.Major, out fact.Minor)) return "btrfs: anon= is not MAJ:MIN";
                fact.HasDevice = true;
            }
            else if (key.SequenceEqual("devices"u8))
            {
                if (DeviceList(value) is not { } devices) return "btrfs: devices= is not a list of MAJ:MIN";
                fact.Devices = devices;
            }
        }
        return fact.Devices is null ? "btrfs: no devices=" : null;
    }

    private static string? FuseDev(ReadOnlySpan<byte> rest, TopologyFact fact)
    {
        while (!rest.IsEmpty)
        {
            var field = Next(ref rest);
            if (!TryField(field, out var key, out var value)) continue;
            if (key.SequenceEqual("pid"u8))
            {
                if (!TryParseInt(value, out int pid) || pid <= 0) return "fusedev: pid= is not a pid";
                fact.Pid = pid;
            }
            else if (key.SequenceEqual("comm"u8)) fact.Comm = Unescape(value);
        }
        return fact.Pid is null ? "fusedev: no pid=" : null;
    }

    /// <summary>A <c>stack</c> line's fields (v4): pid, tid, comm, state, wchan, syscall, frames (<c>func+0x1f/0x40</c> as
    /// /proc/PID/stack prints them, comma-separated; the offsets are dropped, as the trace readers drop them).</summary>
    private static string? ThreadStack(ReadOnlySpan<byte> rest, TopologyFact fact)
    {
        while (!rest.IsEmpty)
        {
            var field = Next(ref rest);
            if (!TryField(field, out var key, out var value)) continue;
            if (key.SequenceEqual("pid"u8) || key.SequenceEqual("tid"u8))
            {
                if (!TryParseInt(value, out int id) || id <= 0) return $"stack: {Encoding.ASCII.GetString(key)}= is not a pid";
                if (key[0] == (byte)'p') fact.Pid = id; else fact.Tid = id;
            }
            else if (key.SequenceEqual("comm"u8)) fact.Comm = Unescape(value);
            else if (key.SequenceEqual("state"u8))
            {
                if (value.Length != 1 || !char.IsAsciiLetterUpper((char)value[0]) && value[0] != (byte)'t') return "stack: state= is not a state letter";
                fact.ThreadState = (char)value[0];
            }
            else if (key.SequenceEqual("wchan"u8)) fact.Wchan = Unescape(value);
            else if (key.SequenceEqual("syscall"u8)) fact.Syscall = Unescape(value);
            else if (key.SequenceEqual("frames"u8))
            {
                var frames = new List<string>();
                while (!value.IsEmpty)
                {
                    int comma = value.IndexOf((byte)',');
                    var one = Unescape(comma < 0 ? value : value[..comma]);
                    value = comma < 0 ? default : value[(comma + 1)..];
                    int plus = one.IndexOf('+');
                    if (plus == 0) return "stack: a frame without a function";
                    if (one.Length > 0) frames.Add(plus > 0 ? one[..plus] : one);
                }
                fact.Frames = [.. frames];
            }
        }
        if (fact.Pid is null || fact.Tid is null) return "stack: no pid= or tid=";
        return fact.ThreadState is null ? "stack: no state=" : null;
    }

    /// <summary><c>MAJ:MIN,MAJ:MIN,...</c> (empty: none); null when an item is not MAJ:MIN.</summary>
    private static (int, int)[]? DeviceList(ReadOnlySpan<byte> value)
    {
        var list = new List<(int, int)>();
        while (!value.IsEmpty)
        {
            int comma = value.IndexOf((byte)',');
            var one = comma < 0 ? value : value[..comma];
            value = comma < 0 ? default : value[(comma + 1)..];
            if (!TryDevice(one, out int major, out int minor)) return null;
            list.Add((major, minor));
        }
        return [.. list];
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
                if (DeviceList(value) is not { } slaves) return "dm: slaves= is not a list of MAJ:MIN";
                fact.Slaves = slaves;
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

    /// <summary>Undoes the topology file's escaping (<see cref="TopologyEscaping"/>).</summary>
    public static string Unescape(ReadOnlySpan<byte> s) => TopologyEscaping.Unescape(s);
}
