using TraceForensics.Cli.Capture;
using TraceForensics.Events.Model;

namespace TraceForensics.Tests.Cli;

/// <summary>What `record` and `doctor --events` arm for a selection of families, and where `record` keeps its page
/// files: no root and no tracefs needed.</summary>
public sealed class RecordPlanTests
{
    [Fact]
    public void Without_a_list_the_selection_is_the_default_and_items_apply_left_to_right()
    {
        Assert.Same(RecordingPlan.Default, EventSelection.Parse(null, out _));
        var most = EventSelection.Parse("default,-work-queued, page-alloc", out var error)!;
        Assert.Null(error);
        Assert.DoesNotContain(EventKind.WorkQueued, most);
        Assert.Contains(EventKind.PageAlloc, most);
        Assert.Equal(RecordingPlan.Default.Count, most.Count); // one out, one in
        Assert.Equal("default", EventSelection.Describe(EventSelection.Parse("sched-switch,default", out _)!));
        Assert.Equal("sched-switch,writeback-wait", EventSelection.Describe(EventSelection.Parse("writeback-wait,sched-switch", out _)!));
        Assert.Equal(["folio_wait_writeback", "wait_on_page_writeback"], RecordingPlan.Events(EventSelection.Parse("writeback-wait", out _)!));
    }

    [Fact]
    public void The_default_records_the_fuse_request_tracepoints()
    {
        // fs/fuse/fuse_trace.h: what ties a FUSE writeback wait to the daemon holding the request (issue 20).
        var events = RecordingPlan.Events(RecordingPlan.Default).ToList();
        Assert.Contains("fuse_request_send", events);
        Assert.Contains("fuse_request_end", events);
        Assert.Equal(["fuse_request_end", "fuse_request_send"], RecordingPlan.Events(EventSelection.Parse("fuse-request-send,fuse-request-end", out _)!));
    }

    [Theory]
    [InlineData("sched-swtch", "\"sched-swtch\" is not a family")]
    [InlineData("sched-switch,-sched-switch", "the selection is empty")]
    [InlineData("trace-gap", "\"trace-gap\" is not a family")]
    [InlineData("\u001b[2J", "\"\\x1b[2J\" is not a family")]
    public void A_list_naming_no_family_is_refused_with_the_families(string list, string said)
    {
        Assert.Null(EventSelection.Parse(list, out var error));
        Assert.Contains(said, error);
    }

    [Fact]
    public void The_only_stack_trigger_is_on_d_state_sleeps_and_probes_follow_their_families()
    {
        Assert.Equal([("sched_switch", "stacktrace if prev_state & 2")], RecordingPlan.Triggers(RecordingPlan.Default));
        var noSwitch = EventSelection.Parse("default,-sched-switch", out _)!;
        Assert.Empty(RecordingPlan.Triggers(noSwitch));
        Assert.Equal(["folio_lock", "folio_locked", "folio_unlock", "folio_start_wb"], RecordingPlan.Probes(true, RecordingPlan.Default).Select(p => p.Name));
        Assert.Equal(["folio_unlock"], RecordingPlan.Probes(false, EventSelection.Parse("page-unlock", out _)!).Select(p => p.Name));
    }

    [Fact]
    public void Page_files_go_beside_a_file_output_and_to_tmpdir_for_a_device_or_an_unwritable_directory()
    {
        var dir = Directory.CreateTempSubdirectory("tracefx-plan-").FullName;
        try
        {
            string kept;
            using (var beside = PageDirectory.For(Path.Combine(dir, "hang.txt.gz")))
            {
                kept = beside.Path;
                Assert.Equal(dir, Path.GetDirectoryName(beside.Path));
                Assert.StartsWith(".hang.txt.gz.", Path.GetFileName(beside.Path));
                File.WriteAllText(Path.Combine(beside.Path, "cpu0.pages"), "x");
            }
            Assert.False(Directory.Exists(kept), "the page directory stayed");
            Assert.True(PageDirectory.IsFile(Path.Combine(dir, "hang.txt.gz")));

            Assert.False(PageDirectory.IsFile("/dev/null"));
            using (var device = PageDirectory.For("/dev/null"))
            {
                Assert.StartsWith(Path.GetFullPath(Path.GetTempPath()), device.Path);
                Assert.False(device.Path.StartsWith("/dev/", StringComparison.Ordinal));
                kept = device.Path;
            }
            Assert.False(Directory.Exists(kept));
            // /proc takes no new directory, not even root's.
            using (var unwritable = PageDirectory.For("/proc/hang.dat"))
                Assert.StartsWith(Path.GetFullPath(Path.GetTempPath()), unwritable.Path);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
