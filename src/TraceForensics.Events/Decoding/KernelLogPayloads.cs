using TraceForensics.Events.Model;
using TraceForensics.Ingest.Formats;

namespace TraceForensics.Events.Decoding;

/// <summary>The tab-separated <c>key=value</c> payloads the kernel-log reader makes of its reports (class names
/// contain spaces): <c>seconds=</c> of a hung task, <c>kind= owner= owner_comm=</c> of a blocker line,
/// <c>class= at=</c> of a held lock, <c>held= wanted=</c> of a lockdep report.</summary>
internal static class KernelLogPayloads
{
    public static bool Decode(EventKind kind, ReadOnlySpan<byte> payload, ref EventPayload p, Utf8Interner strings)
    {
        switch (kind)
        {
            case EventKind.ProcessHang:
                if (TryField(payload, "seconds="u8, out var secs) && AsciiSpan.TryParseDecimal(secs, out long n)) p.Count = n;
                return true;
            case EventKind.LockOwner:
                if (TryField(payload, "kind="u8, out var k)) p.LockFlags = strings.Intern(k);
                if (TryField(payload, "owner="u8, out var o) && AsciiSpan.TryParseInt(o, out int owner)) p.OtherPid = owner;
                if (TryField(payload, "owner_comm="u8, out var oc)) p.OtherComm = strings.Intern(oc);
                return p.LockFlags is not null;
            case EventKind.HungTaskDetail:
                if (TryField(payload, "state="u8, out var st)) p.PrevState = TaskStateParser.Parse(st);
                if (TryField(payload, "ppid="u8, out var pp) && AsciiSpan.TryParseInt(pp, out int ppid)) p.Ppid = ppid;
                if (TryField(payload, "tgid="u8, out var tg) && AsciiSpan.TryParseInt(tg, out int tgid)) p.OtherPid = tgid;
                if (TryField(payload, "workqueue="u8, out var wq)) p.Workqueue = strings.Intern(wq);
                return true;
            case EventKind.LockHeld:
                if (TryField(payload, "class="u8, out var c)) p.LockClass = strings.Intern(c);
                if (TryField(payload, "at="u8, out var at)) p.Function = strings.Intern(at);
                if (TryField(payload, "addr="u8, out var addr) && AsciiSpan.TryParseHex(addr, out ulong a)) p.LockAddress = a;
                return p.LockClass is not null;
            case EventKind.LockdepReport:
                if (TryField(payload, "held="u8, out var h)) p.LockClass = strings.Intern(h);
                if (TryField(payload, "wanted="u8, out var w)) p.OtherLockClass = strings.Intern(w);
                if (TryField(payload, "report="u8, out var rep)) p.LockFlags = strings.Intern(rep);
                if (TryField(payload, "chain="u8, out var chain))
                    p.LockChain = System.Text.Encoding.UTF8.GetString(chain).Split('\u001f').Select(strings.Intern).ToArray();
                return p.LockClass is not null && p.OtherLockClass is not null;
            default:
                return true;
        }
    }

    private static bool TryField(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        value = default;
        int from = 0;
        while (from <= payload.Length)
        {
            var rest = payload[from..];
            int tab = rest.IndexOf((byte)'\t');
            var field = tab < 0 ? rest : rest[..tab];
            if (field.StartsWith(key)) { value = field[key.Length..]; return true; }
            if (tab < 0) break;
            from += tab + 1;
        }
        return false;
    }
}
