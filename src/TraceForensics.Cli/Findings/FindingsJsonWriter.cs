using TraceForensics.Cli.Output;
using System.Text.Json;
using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Events.Model;
using TraceForensics.Ingest.Diagnostics;
using TraceForensics.Ingest.Formats;

namespace TraceForensics.Cli.Findings;

/// <summary>Findings as <c>traceforensics/findings/v1</c> (design/contracts.md).</summary>
public static class FindingsJsonWriter
{
    public const string Schema = "traceforensics/findings/v1";

    public static void Write(AnalysisReport report, Stream output)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("schema", Schema);
        w.WriteStartArray("inputs");
        for (int i = 0; i < report.Inputs.Count; i++)
        {
            var input = report.Inputs[i];
            w.WriteStartObject();
            w.WriteString("path", input.Path);
            w.WriteString("format", input.Format.Name());
            w.WriteString("sha256", report.InputHashes[i]);
            w.WriteNumber("events", input.Events);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("verdict", report.Verdict);
        w.WriteStartArray("findings");
        foreach (var f in report.Findings) WriteFinding(w, f, report);
        w.WriteEndArray();
        CommandOutput.WriteDiagnostics(w, report.Diagnostics);
        w.WriteEndObject();
        w.Flush();
        output.WriteByte((byte)'\n');
    }

    private static void WriteFinding(Utf8JsonWriter w, Finding f, AnalysisReport report)
    {
        w.WriteStartObject();
        w.WriteString("id", f.Id);
        w.WriteString("kind", f.Kind.Name());
        w.WriteString("summary", f.Summary);
        w.WriteNumber("at", TraceTime.ToSeconds(f.AtNs));
        if (f.Root is not null) w.WriteString("root", NodeId.Format(f.Root));
        w.WriteStartArray("tasks");
        foreach (var t in f.Tasks)
        {
            w.WriteStartObject();
            w.WriteNumber("pid", t.Pid);
            w.WriteString("comm", t.Comm);
            if (t.SinceUnknown) w.WriteNull("blockedSince");
            else w.WriteNumber("blockedSince", TraceTime.ToSeconds(t.BlockedSinceNs));
            if (t.BlockedIn is null) w.WriteNull("blockedIn"); else w.WriteString("blockedIn", t.BlockedIn);
            if (t.BlockedInCorrupted is { } why)
            {
                // syzkaller would title this report "corrupted": no function is claimed, and this says why.
                w.WriteBoolean("blockedInCorrupted", true);
                w.WriteString("blockedInCorruptedReason", why);
            }
            if (t.HangReport is { } h) w.WriteNumber("hungReportedAt", TraceTime.ToSeconds(h.TimestampNs));
            if (t.ReportedBlockedSeconds is long secs) w.WriteNumber("reportedBlockedSeconds", secs);
            if (t.Workqueue is { } wq) w.WriteString("workqueue", wq);
            if (!t.AlsoIn.IsDefaultOrEmpty)
            {
                w.WriteStartArray("alsoIn");
                foreach (var id in t.AlsoIn) w.WriteStringValue(id);
                w.WriteEndArray();
            }
            if (t.HeldLocks.Length > 0)
            {
                w.WriteStartArray("heldLocks");
                foreach (var held in t.HeldLocks) w.WriteStringValue(held);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("chain");
        foreach (var e in f.Chain)
        {
            w.WriteStartObject();
            w.WriteString("from", NodeId.Format(e.From));
            w.WriteString("to", NodeId.Format(e.To));
            w.WriteString("relation", RelationWords.IdOf(e));
            w.WriteString("evidence", e.Observed ? "observed" : "inferred");
            if (e.Rule is null) w.WriteNull("rule"); else w.WriteString("rule", e.Rule.ToString());
            w.WriteStartArray("lines");
            foreach (var l in e.Lines)
            {
                w.WriteStartObject();
                w.WriteString("path", report.PathOf(l.Input));
                w.WriteNumber("line", l.Line);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        WritePages(w, f);
        WriteBios(w, f);
        w.WriteStartObject("stacks");
        foreach (var t in f.Tasks.Where(t => !t.Stack.IsDefaultOrEmpty))
        {
            w.WriteStartArray(t.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            foreach (var frame in t.Stack) w.WriteStringValue(frame);
            w.WriteEndArray();
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WritePages(Utf8JsonWriter w, Finding f)
    {
        w.WriteStartArray("pages");
        var seen = new HashSet<Replay.Pages.PageKey>();
        foreach (var node in f.Chain.SelectMany(e => new[] { e.From, e.To }))
        {
            var page = node switch { WritebackNode n => n.Page, PageLockNode n => n.Page, _ => null };
            if (page is not { } p || !seen.Add(p)) continue;
            w.WriteStartObject();
            w.WriteString("dev", p.Dev.ToString());
            w.WriteNumber("ino", p.Ino);
            w.WriteNumber("index", p.Index);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteBios(Utf8JsonWriter w, Finding f)
    {
        w.WriteStartArray("bios");
        var seen = new HashSet<BioNode>();
        foreach (var e in f.Chain)
        {
            if (e.From is not BioNode bio || !seen.Add(bio)) continue;
            w.WriteStartObject();
            w.WriteString("dev", bio.Dev.ToString());
            if (bio.Sector is ulong sector) w.WriteNumber("sector", sector);
            else w.WriteNull("sector"); // not submitted, and no event gave its disk address
            w.WriteBoolean("submitted", e.Relation != Relation.UnsubmittedBioOwnedBy);
            w.WriteBoolean("completed", false);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
