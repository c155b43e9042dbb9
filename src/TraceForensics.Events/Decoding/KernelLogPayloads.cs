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
                p.HungTask.Seconds = r.HungSeconds;
                return true;
            case EventKind.HungTaskDetail:
                if (r.State is { } state) p.HungTask.State = TaskStateParser.Parse(Encoding.ASCII.GetBytes(state));
                p.HungTask.Tgid = r.Tgid;
                p.HungTask.Ppid = r.Ppid;
                p.HungTask.Workqueue = Intern(strings, r.Workqueue);
                return true;
            case EventKind.LockOwner:
                p.LockOwner.Kind = r.OwnerKind;
                p.LockOwner.Pid = r.OwnerPid;
                p.LockOwner.Comm = Intern(strings, r.OwnerComm);
                return r.OwnerKind != LockOwnerKind.None;
            case EventKind.LockHeld:
                p.HeldLock.Class = Intern(strings, r.LockClass);
                p.HeldLock.Address = r.LockAddress;
                p.HeldLock.AcquireSite = Intern(strings, r.AcquireSite);
                return p.HeldLock.Class is not null;
            case EventKind.LockdepReport:
                p.Lockdep.Kind = r.ReportKind;
                p.Lockdep.HeldClass = Intern(strings, r.HeldClass);
                p.Lockdep.WantedClass = Intern(strings, r.WantedClass);
                if (r.Chain is { } chain) p.Lockdep.Chain = Array.ConvertAll(chain, strings.Intern);
                return p.Lockdep.HeldClass is not null && p.Lockdep.WantedClass is not null;
            default:
                return true;
        }
    }

    private static string? Intern(Utf8Interner strings, string? s) => s is null ? null : strings.Intern(s);
}
