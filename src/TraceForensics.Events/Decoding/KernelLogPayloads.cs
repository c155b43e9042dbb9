using System.Text;
using TraceForensics.Events.Model;
using TraceForensics.Ingest.Formats;

namespace TraceForensics.Events.Decoding;

/// <summary>Maps the typed facts the kernel-log reader parsed from a report line (<see cref="KernelLogReport"/>) into
/// the payload's family of the event: <see cref="EventPayload.HungTask"/> of a hung-task report and its detail lines,
/// <see cref="EventPayload.LockOwner"/> of a blocker line, <see cref="EventPayload.HeldLock"/> of a held-locks entry,
/// <see cref="EventPayload.Lockdep"/> of a lockdep report. Strings are interned.</summary>
internal static class KernelLogPayloads
{
    /// <summary>Maps; false when the report lacks what every event of its kind carries.</summary>
    public static bool Map(EventKind kind, KernelLogReport r, ref EventPayload p, Utf8Interner strings)
    {
        switch (kind)
        {
            case EventKind.ProcessHang:
                HungTaskFacts.Set(ref p.Report, r.HungSeconds, default, null, null, null);
                return true;
            case EventKind.HungTaskDetail:
                var state = r.State is { } st ? TaskStateParser.Parse(Encoding.ASCII.GetBytes(st)) : default;
                HungTaskFacts.Set(ref p.Report, null, state, r.Tgid, r.Ppid, Intern(strings, r.Workqueue));
                return true;
            case EventKind.LockOwner:
                LockOwnerFacts.Set(ref p.Report, r.OwnerKind, r.OwnerPid, Intern(strings, r.OwnerComm));
                return r.OwnerKind != LockOwnerKind.None;
            case EventKind.LockHeld:
                HeldLockFacts.Set(ref p.Report, Intern(strings, r.LockClass), r.LockAddress, Intern(strings, r.AcquireSite), r.LockDepth);
                return r.LockClass is not null;
            case EventKind.LockdepReport:
                LockdepFacts.Set(ref p.Report, r.ReportKind, Intern(strings, r.HeldClass), Intern(strings, r.WantedClass),
                    r.Chain is { } chain ? Array.ConvertAll(chain, strings.Intern) : null);
                return r.HeldClass is not null && r.WantedClass is not null;
            default:
                return true;
        }
    }

    private static string? Intern(Utf8Interner strings, string? s) => s is null ? null : strings.Intern(s);
}
