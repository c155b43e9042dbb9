using TraceForensics.Events.Dictionary;
using TraceForensics.Events.Model;
using TraceForensics.Events.Reading;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Events;

public class KprobeAndDictionaryTests
{
    private static TraceEvent One(string line)
    {
        var (session, events) = Run.Text(line + "\n");
        Assert.Empty(session.Tables.Diagnostics.Kept);
        return Assert.Single(events);
    }

    [Fact]
    public void Ftrace_kprobe_on_folio_lock_is_a_page_lock_wait()
    {
        // The vocabulary's recipe: p:tfx/folio_lock __folio_lock folio=$arg1 index=folio->index ino=folio->mapping->host->i_ino
        var e = One("kworker/u8:2-3693 [001] ..... 123.456789: folio_lock: (__folio_lock+0x0/0x40) folio=0xffffea0004a1b2c0 index=1234 ino=131");
        Assert.Equal(EventKind.PageLockWait, e.Kind);
        Assert.Equal("folio_lock", e.Name);
        Assert.Equal("__folio_lock", e.Payload.Function);
        Assert.False(e.Payload.IsReturnProbe);
        Assert.Null(e.Payload.ReturnSite);
        Assert.Equal(0xffffea0004a1b2c0UL, e.Payload.Folio);
        Assert.Equal(1234L, e.Payload.Index);
        Assert.Equal(131UL, e.Payload.Ino);
        Assert.Equal("kworker/u8:2", e.Comm);
        Assert.Equal(3693, e.Pid);
    }

    [Fact]
    public void Ftrace_kretprobe_on_folio_lock_is_acquired_with_its_return_site()
    {
        var e = One("kworker/u8:2-3693 [001] ..... 123.456901: folio_locked: (writeback_iter+0x1a2/0x3c0 <- __folio_lock)");
        Assert.Equal(EventKind.PageLockAcquired, e.Kind);
        Assert.Equal("__folio_lock", e.Payload.Function);
        Assert.True(e.Payload.IsReturnProbe);
        Assert.Equal("writeback_iter+0x1a2/0x3c0", e.Payload.ReturnSite);
    }

    [Fact]
    public void Ftrace_kprobe_on_folio_unlock_is_a_page_unlock()
    {
        var e = One("kworker/u8:2-3693 [001] ..... 123.457001: folio_unlock: (folio_unlock+0x0/0x60) folio=0xffffea0004a1b2c0 index=1234 ino=131");
        Assert.Equal(EventKind.PageUnlock, e.Kind);
        Assert.Equal("folio_unlock", e.Payload.Function);
        Assert.Equal(0xffffea0004a1b2c0UL, e.Payload.Folio);
        Assert.Equal(1234L, e.Payload.Index);
    }

    [Theory]
    [InlineData("zz_whatever", "__folio_lock", EventKind.PageLockWait)]
    [InlineData("p_lock_page_0", "__lock_page", EventKind.PageLockWait)]
    [InlineData("sched_switch", "__folio_lock_killable", EventKind.PageLockWait)] // a probe may even reuse a tracepoint's name
    [InlineData("u1", "unlock_page", EventKind.PageUnlock)]
    [InlineData("wb", "__folio_start_writeback", EventKind.WritebackStart)]
    [InlineData("wbend", "folio_end_writeback", EventKind.WritebackEnd)]
    [InlineData("myprobe", "bio_alloc", EventKind.Unknown)]
    public void A_kprobe_is_recognised_by_its_probed_function_whatever_its_name(string name, string function, EventKind kind)
    {
        var e = One($"              dd-3685    [001] .....   338.9: {name}: ({function}+0x0/0x40) folio=0xffffea0004a1b2c0");
        Assert.Equal(kind, e.Kind);
        Assert.Equal(name, e.Name);
        Assert.Equal(function, e.Payload.Function);
    }

    [Fact]
    public void A_kretprobe_of_another_function_adds_no_meaning()
    {
        var e = One("              dd-3685    [001] .....   338.9: unl_ret: (writeback_iter+0x1a2/0x3c0 <- folio_unlock)");
        Assert.Equal(EventKind.Unknown, e.Kind);
        Assert.True(e.Payload.IsReturnProbe);
        Assert.Equal("folio_unlock", e.Payload.Function);
    }

    [Fact]
    public void Perf_probe_entry_and_return()
    {
        var (session, events) = Run.Text(
            "              dd  4125 [001]   392.400100:        probe:__folio_lock: (ffffffff814a2b30) folio=0xffffea0004a1b2c0 index=7\n" +
            "              dd  4125 [001]   392.400200: probe:__folio_lock__return: (ffffffff81512345 <- ffffffff814a2b30)\n");
        Assert.Empty(session.Tables.Diagnostics.Kept);
        Assert.Equal(2, events.Count);

        var wait = events[0];
        Assert.Equal(EventKind.PageLockWait, wait.Kind);
        Assert.Equal("__folio_lock", wait.Name);
        Assert.Equal("__folio_lock", wait.Payload.Function);
        Assert.False(wait.Payload.IsReturnProbe);
        Assert.Equal(0xffffea0004a1b2c0UL, wait.Payload.Folio);
        Assert.Equal(7L, wait.Payload.Index);

        var acquired = events[1];
        Assert.Equal(EventKind.PageLockAcquired, acquired.Kind);
        Assert.Equal("__folio_lock__return", acquired.Name);
        Assert.Equal("__folio_lock", acquired.Payload.Function);
        Assert.True(acquired.Payload.IsReturnProbe);
    }

    [Fact]
    public void Perf_probe_on_unlock()
    {
        var e = One("              dd  4125 [001]   392.400300:        probe:folio_unlock: (ffffffff814a3000) folio=0xffffea0004a1b2c0");
        Assert.Equal(EventKind.PageUnlock, e.Kind);
        Assert.Equal("folio_unlock", e.Payload.Function);
    }

    [Theory]
    [InlineData("wait_on_page_writeback", "folio_wait_writeback", "bdi 7:0: ino=131 index=3")]
    [InlineData("writeback_dirty_page", "writeback_dirty_folio", "bdi 7:0: ino=131 index=3")]
    [InlineData("mm_vmscan_writepage", "mm_vmscan_write_folio", "pfn=0x1237ab reclaim_flags=RECLAIM_WB_FILE|RECLAIM_WB_ASYNC")]
    [InlineData("xfs_writepage", "iomap_writeback_folio", "dev 7:0 ino 0x83 pgoff 0x3000 size 0x3000000 offset 0 length 0")]
    public void Page_era_names_mean_the_same_as_folio_era_names(string pageName, string folioName, string payload)
    {
        var old = One($"              dd-3685    [001] .....   338.9: {pageName}: {payload}");
        var @new = One($"              dd-3685    [001] .....   338.9: {folioName}: {payload}");
        Assert.NotEqual(EventKind.Unknown, old.Kind);
        Assert.Equal(@new.Kind, old.Kind);
    }

    [Fact]
    public void Page_era_writeback_wait_decodes_its_page()
    {
        var e = One("              dd-3685    [001] .....   338.9: wait_on_page_writeback: bdi 7:0: ino=131 index=3");
        Assert.Equal(EventKind.WritebackWait, e.Kind);
        Assert.Equal(new DeviceNumber(7, 0), e.Payload.Dev);
        Assert.Equal(131UL, e.Payload.Ino);
        Assert.Equal(3L, e.Payload.Index);
    }

    [Fact]
    public void Page_era_lock_probe_is_a_page_lock_wait_and_its_return_acquired()
    {
        var (session, events) = Run.Text(
            "              dd-3685    [001] .....   338.900000: lockp: (__lock_page+0x0/0x30) page=0xffffea0001000000\n" +
            "              dd-3685    [001] .....   338.900100: lockr: (write_cache_pages+0x1a2/0x3c0 <- __lock_page)\n");
        Assert.Empty(session.Tables.Diagnostics.Kept);
        Assert.Equal(EventKind.PageLockWait, events[0].Kind);
        Assert.Equal(0xffffea0001000000UL, events[0].Payload.Folio);
        Assert.Equal(EventKind.PageLockAcquired, events[1].Kind);
    }

    [Fact]
    public void Dictionary_maps_names_and_probed_functions()
    {
        var d = new EventDictionary();
        Assert.Equal(EventKind.SchedSwitch, d.ByName("sched_switch"));
        Assert.Equal(EventKind.Unknown, d.ByName("sched:sched_switch")); // names come without subsystem
        Assert.Equal(EventKind.PageLockWait, d.ByProbedFunction("folio_lock", isReturn: false));
        Assert.Equal(EventKind.PageLockAcquired, d.ByProbedFunction("folio_lock", isReturn: true));
        Assert.Equal(EventKind.Unknown, d.ByProbedFunction("folio_unlock", isReturn: true));
        d.MapUserEvent("sched_switch", EventKind.Function);
        Assert.Equal(EventKind.Function, d.ByName("sched_switch"));
        Assert.True(d.IsUserMapped("sched_switch"));
    }

    [Theory]
    [InlineData("page-lock-wait", EventKind.PageLockWait)]
    [InlineData("Writeback-Wait", EventKind.WritebackWait)]
    [InlineData(" bio-queue ", EventKind.BioQueue)]
    public void Kind_names_are_kebab_case(string name, EventKind kind)
    {
        Assert.True(EventKindNames.TryParse(name, out var k));
        Assert.Equal(kind, k);
        Assert.Equal(name.Trim().ToLowerInvariant(), kind.Name());
    }

    [Fact]
    public void Events_map_file_maps_custom_names_and_reports_bad_lines()
    {
        using var dir = new TempDir();
        var map = dir.Write("events.map",
            "# my probes\n" +
            "my_lock_wait page-lock-wait\n" +
            "\n" +
            "my_unlock = page-unlock   # trailing comment\n" +
            "my_broken not-a-kind\n" +
            "too many words here\n" +
            "sched_waking = function\n");
        var trace = dir.Write("trace.txt",
            "              dd-3685    [001] .....   338.900000: my_lock_wait: folio=0xffffea0004a1b2c0 index=5 ino=131\n" +
            "              dd-3685    [001] .....   338.900100: my_unlock: folio=0xffffea0004a1b2c0\n" +
            "              dd-3685    [001] .....   338.900200: my_broken: x=1\n" +
            "     ksoftirqd/1-22      [001] d.s3.   338.900300: sched_waking: comm=bash pid=3685 prio=120 target_cpu=000\n");

        using var session = TraceSession.Open([trace], new TraceSessionOptions { EventsMapPath = map });
        var events = Run.Drain(session);

        Assert.Equal(4, events.Count);
        Assert.Equal(EventKind.PageLockWait, events[0].Kind);
        Assert.Equal(0xffffea0004a1b2c0UL, events[0].Payload.Folio);
        Assert.Equal(5L, events[0].Payload.Index);
        Assert.Equal(EventKind.PageUnlock, events[1].Kind);
        Assert.Equal(EventKind.Unknown, events[2].Kind);
        Assert.Equal(EventKind.Function, events[3].Kind); // the user's map wins over the built-in name

        var bad = session.Tables.Diagnostics.Kept.Where(d => d.Code == "bad-events-map").ToList();
        Assert.Equal([5L, 6L], bad.Select(d => d.Line));
        Assert.All(bad, d => Assert.Equal(map, d.Path));
        Assert.All(bad, d => Assert.Contains("page-lock-wait", d.Message)); // says which kinds exist
    }

    [Fact]
    public void Missing_events_map_is_an_error_and_the_trace_is_still_read()
    {
        using var dir = new TempDir();
        var trace = dir.Write("trace.txt",
            "     ksoftirqd/1-22      [001] d.s3.   338.900300: sched_waking: comm=bash pid=3685 prio=120 target_cpu=000\n");
        var missing = Path.Combine(dir.Path, "nope.map");
        using var session = TraceSession.Open([trace], new TraceSessionOptions { EventsMapPath = missing });
        var events = Run.Drain(session);
        Assert.Equal(EventKind.SchedWaking, Assert.Single(events).Kind);
        var d = Assert.Single(session.Tables.Diagnostics.Kept);
        Assert.Equal("bad-events-map", d.Code);
        Assert.Equal(missing, d.Path);
    }

    [Fact]
    public void Events_map_applies_to_stream_inputs_too()
    {
        using var dir = new TempDir();
        var map = dir.Write("events.map", "my_lock_wait page-lock-wait\n");
        var bytes = System.Text.Encoding.UTF8.GetBytes(
            "              dd-3685    [001] .....   338.900000: my_lock_wait: folio=0xffffea0004a1b2c0\n");
        using var session = TraceSession.Open([("stdin", () => (Stream)new MemoryStream(bytes))],
                                              new TraceSessionOptions { EventsMapPath = map });
        var e = Assert.Single(Run.Drain(session));
        Assert.Equal(EventKind.PageLockWait, e.Kind);
    }

    private sealed class TempDir : IDisposable
    {
        public TempDir() => Directory.CreateDirectory(Path);
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tfx-tests-" + Guid.NewGuid().ToString("N"));

        public string Write(string name, string text)
        {
            var p = System.IO.Path.Combine(Path, name);
            File.WriteAllText(p, text);
            return p;
        }

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
        }
    }
}
