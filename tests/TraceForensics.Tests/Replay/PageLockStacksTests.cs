using System.Collections.Immutable;
using System.Text.RegularExpressions;
using TraceForensics.Replay.Tasks;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Replay;

/// <summary>The stack tables read real stacks: our captures (sample-traces and ../shared/real-traces), the public
/// kernel-log reports of the corpus, and the hung-task reports of the hugetlb fault-mutex deadlock posted to the
/// lists. Each row is checked on a real stack where one exists; the rows no input of ours shows are checked on the
/// call path of the kernel source their row cites.</summary>
public class PageLockStacksTests
{
    /// <summary>The first distinct stack of an input (innermost first, as interned) that has all the given frames.</summary>
    private static ImmutableArray<string> StackWith(string path, params string[] frames)
    {
        var (session, _) = Run.Files(path);
        var stacks = session.Tables.Stacks;
        for (int id = 1; id <= stacks.Count; id++)
        {
            var stack = stacks.Get(id);
            if (frames.All(f => stack.Contains(f))) return stack;
        }
        throw new InvalidOperationException($"{Path.GetFileName(path)} has no stack with {string.Join(", ", frames)}");
    }

    private static string MemcgCapture() => Path.Combine(Require.RealTraces(), "xfs-memcg-reclaim.ftrace.txt.gz");
    private static string FsyncSample => Path.Combine(TestPaths.SampleTraces, "xfs-fsync.ftrace.txt");

    [Fact]
    public void Every_row_cites_the_kernel_source_and_holders_say_which_page()
    {
        var sourcePath = new Regex(@"^(mm|fs|kernel|block|include|arch)/[\w./*-]+\.[ch] \w+");
        Assert.All(StackFunctions.All, row => Assert.Matches(sourcePath, row.Source));
        Assert.All(StackFunctions.All.Where(r => r.Role == StackRole.HoldsPageLock), row => Assert.NotEqual(HeldPage.None, row.Holds));
        Assert.All(StackFunctions.All.Where(r => r.Role == StackRole.WaitsFor), row => Assert.NotEqual(WaitKind.None, row.Waits));
        Assert.All(StackFunctions.All.Where(r => r.Role == StackRole.HoldsPageLock && !r.WhileCalling.IsEmpty),
            row => Assert.False(string.IsNullOrEmpty(row.Condition), $"{row.Function} holds only while calling some functions and must say when"));
        Assert.Empty(StackFunctions.All.GroupBy(r => (r.Function, r.Role)).Where(g => g.Count() > 1).Select(g => g.Key));
    }

    // --- Real captures of this machine's kernel (6.18) ---

    [SkippableFact]
    public void Ext4_write_begin_past_its_lookup_holds_its_page_while_it_waits_for_i_data_sem()
    {
        // The loop worker writing the backing file of the memcg capture: ext4_da_get_block_prep takes i_data_sem.
        var stack = StackWith(MemcgCapture(), "down_write", "ext4_da_get_block_prep", "ext4_block_write_begin", "ext4_da_write_begin");
        var held = StackReader.PageLockHeld(stack);
        Assert.Equal("ext4_da_write_begin", held?.Function);
        Assert.Equal(HeldPage.WriteBeginPage, held!.Holds);
        Assert.Equal(new StackWait(WaitKind.RwSemaphore, "rwsem_down_write_slowpath", "ext4_da_get_block_prep", null), StackReader.Classify(stack));
        Assert.Null(StackReader.HoldsFaultedPage(stack));
    }

    [SkippableFact]
    public void Iomap_write_begin_still_charging_its_new_page_holds_no_page_lock()
    {
        // filemap_add_folio charges the memcg before it locks the new folio: reclaim here holds no page lock.
        var stack = StackWith(MemcgCapture(), "reclaim_throttle", "filemap_add_folio", "__filemap_get_folio", "iomap_write_begin");
        Assert.Null(StackReader.PageLockHeld(stack));
        Assert.False(StackReader.InMemcgReclaim(stack)); // throttled in shrink_lruvec, not freeing a list in shrink_folio_list
    }

    [SkippableFact]
    public void An_anonymous_fault_in_memcg_reclaim_waits_for_writeback_holding_no_page_lock()
    {
        var stack = StackWith(MemcgCapture(), "io_schedule", "folio_wait_writeback", "shrink_folio_list", "pte_alloc_one", "do_anonymous_page");
        Assert.Equal(new StackWait(WaitKind.PageWriteback, "folio_wait_writeback", "shrink_folio_list", null), StackReader.Classify(stack));
        Assert.True(StackReader.InMemcgReclaim(stack));
        Assert.True(StackReader.InPageFault(stack));
        Assert.Null(StackReader.PageLockHeld(stack)); // do_anonymous_page locks no page-cache page
    }

    [Fact]
    public void A_file_fault_waiting_in_filemap_fault_waits_for_a_page_lock_and_holds_none_yet()
    {
        var stack = StackWith(FsyncSample, "folio_wait_bit_common", "filemap_fault", "__do_fault");
        Assert.Equal(new StackWait(WaitKind.PageLock, "filemap_fault", "filemap_fault", null), StackReader.Classify(stack));
        Assert.Null(StackReader.PageLockHeld(stack));
    }

    [Fact]
    public void A_read_waiting_in_filemap_get_pages_waits_for_a_page_lock()
    {
        var stack = StackWith(FsyncSample, "folio_wait_bit_common", "filemap_get_pages");
        Assert.Equal(WaitKind.PageLock, StackReader.Classify(stack).Kind);
        Assert.Equal("filemap_get_pages", StackReader.Classify(stack).Witness);
        Assert.Null(StackReader.PageLockHeld(stack));
    }

    [Fact]
    public void Fsync_waits_for_writeback_holding_no_page_lock()
    {
        var stack = StackWith(FsyncSample, "folio_wait_writeback", "__filemap_fdatawait_range");
        Assert.Equal(WaitKind.PageWriteback, StackReader.Classify(stack).Kind);
        Assert.Equal("folio_wait_writeback", StackReader.Classify(stack).Witness);
        Assert.Null(StackReader.PageLockHeld(stack));
    }

    // --- Public kernel logs ---

    [Fact]
    public void Hugetlb_fault_mutex_deadlock_stacks_read_from_the_report()
    {
        // Gavin Guo, "[PATCH] mm/hugetlb: fix a deadlock with pagecache_folio and hugetlb_fault_mutex_table" (2025-05-13), 6.15-rc3.
        var (session, _) = Run.Text(HugetlbAbbaLog.Text);
        var stacks = Enumerable.Range(1, session.Tables.Stacks.Count).Select(session.Tables.Stacks.Get).ToList();
        var waiter = stacks.First(s => s.Contains("hugetlb_wp"));
        var taker = stacks.First(s => s.Contains("__filemap_get_folio"));

        // Task 13229 retakes the fault mutex in hugetlb_wp, called with the folio hugetlb_fault locked.
        Assert.Equal(WaitKind.Mutex, StackReader.Classify(waiter).Kind);
        Assert.Equal("hugetlb_wp", StackReader.PageLockHeld(waiter)?.Function);
        Assert.Equal(HeldPage.HugetlbFolio, StackReader.PageLockHeld(waiter)!.Holds);

        // Task 13250, holding the mutex, waits for that folio's lock in __filemap_get_folio (filemap_lock_hugetlb_folio).
        Assert.Equal(new StackWait(WaitKind.PageLock, "__filemap_get_folio", "hugetlb_fault", null), StackReader.Classify(taker));
        Assert.Null(StackReader.PageLockHeld(taker));
    }

    [Fact]
    public void Hugetlb_stacks_of_6_16_with_unreliable_frames()
    {
        // Gavin Guo's reply to "[PATCH v3 1/5] mm,hugetlb: Change mechanism to detect a COW on private mapping"
        // (2025-06-28), 6.16.0-rc3: the frames of the two hung tasks as printed, "? " frames included.
        ImmutableArray<string> locker =
        [
            "__schedule", "? lockdep_unlock", "? schedule", "? __pfx___schedule", "? lock_acquire", "? schedule", "schedule", "io_schedule",
            "folio_wait_bit_common", "? __pfx_folio_wait_bit_common", "? __pfx_wake_page_function", "? do_raw_spin_lock", "? lock_acquire",
            "? __pfx_do_raw_spin_lock", "hugetlb_fault", "? __pfx_hugetlb_fault", "handle_mm_fault", "? handle_mm_fault", "? lock_vma_under_rcu",
            "? lock_vma_under_rcu", "? __pfx_handle_mm_fault", "? __pfx_lock_vma_under_rcu", "do_user_addr_fault", "? __pfx_do_user_addr_fault",
            "? trace_page_fault_user", "exc_page_fault", "asm_exc_page_fault",
        ];
        ImmutableArray<string> retaker =
        [
            "__schedule", "? schedule", "? __pfx___schedule", "? lock_acquire", "? schedule", "? schedule", "schedule", "schedule_preempt_disabled",
            "__mutex_lock", "? __mutex_lock", "? hugetlb_wp", "? __pfx___mutex_lock", "? up_write", "? vma_interval_tree_iter_next", "hugetlb_wp",
            "? __pfx_hugetlb_wp", "? do_raw_spin_lock", "? lock_acquire", "? __pfx_do_raw_spin_lock", "hugetlb_fault", "? __pfx_hugetlb_fault",
            "? mt_find", "handle_mm_fault",
        ];
        // folio_lock of the anonymous folio, inlined into hugetlb_fault.
        Assert.Equal(new StackWait(WaitKind.PageLock, "hugetlb_fault", "hugetlb_fault", null), StackReader.Classify(locker));
        Assert.Null(StackReader.PageLockHeld(locker));
        Assert.Equal(new StackWait(WaitKind.Mutex, "__mutex_lock", "hugetlb_wp", null), StackReader.Classify(retaker));
        Assert.Equal("hugetlb_wp", StackReader.PageLockHeld(retaker)?.Function);
    }

    [SkippableFact]
    public void Ext4_write_begin_of_4_20_starts_its_journal_handle_with_the_page_unlocked()
    {
        // syzkaller hung/349 (4.20-next): the NMI backtrace of cpu 1 shows ext4_da_write_begin in __ext4_journal_start_sb; that
        // kernel unlocked the page around the journal start, so the row does not apply.
        var text = File.ReadAllText(Path.Combine(Require.Shared(), "corpus", "syzkaller", "hung", "349"));
        int nmi = text.IndexOf("NMI backtrace for cpu 1", StringComparison.Ordinal);
        int trace = text.IndexOf("Call Trace:", nmi, StringComparison.Ordinal);
        var frames = Regex.Matches(text[trace..text.IndexOf("RIP: 0033", trace, StringComparison.Ordinal)], @"\]\s+([\w.]+)\+0x")
            .Select(m => m.Groups[1].Value).ToImmutableArray();
        Assert.Equal(["__save_stack_trace", "save_stack_trace"], frames.Take(2));
        Assert.Contains("__ext4_journal_start_sb", frames);
        Assert.Contains("ext4_da_write_begin", frames);
        Assert.Null(StackReader.PageLockHeld(frames));
    }

    [SkippableFact]
    public void Blocked_reason_callers_of_an_android_kernel_name_their_waits()
    {
        // The wchan-like caller= of sched_blocked_reason (Jimmy Shiu, linux-kernel): the old names of the page waits.
        var text = File.ReadAllText(Path.Combine(Require.CorpusTraces(), "lkml", "lkml__shiu_sched_blocked_reason_lock_page_killable.txt"));
        var callers = Regex.Matches(text, @"caller=(\w+)\+").Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Contains("__lock_page_killable", callers);
        Assert.Equal(new StackWait(WaitKind.PageLock, "__lock_page_killable", "do_page_fault", null), StackReader.Classify(["__lock_page_killable", "do_page_fault"]));
        Assert.Equal(WaitKind.PageLock, StackReader.Classify(["__lock_page_killable"]).Kind);
        Assert.Equal(WaitKind.PageWriteback, StackReader.Classify(["__filemap_fdatawait_range"]).Kind);
        // wait_on_page_bit waits for its caller's flag (PG_locked or PG_writeback); alone it says nothing.
        Assert.Contains("wait_on_page_bit", callers);
        Assert.Equal(WaitKind.Unknown, StackReader.Classify(["wait_on_page_bit"]).Kind);
    }

    // --- Rows no input of ours shows: the call paths of the kernel source they cite ---

    public static TheoryData<string, string[], string?> KernelCallPaths() => new()
    {
        // mm/memory.c: finish_fault allocates the page table under the faulted page's lock (no preallocated pte).
        { "finish_fault", ["pte_alloc_one", "__pte_alloc", "finish_fault", "do_read_fault", "do_fault", "__handle_mm_fault"], "finish_fault" },
        // finish_fault inlined into do_read_fault: its __pte_alloc (the known-answer sample's stack).
        { "do_read_fault", ["pte_alloc_one", "__pte_alloc", "do_read_fault", "do_fault", "handle_mm_fault"], "do_read_fault" },
        // do_fault_around's preallocation (pte_alloc_one called directly) comes before the fault: nothing held.
        { "do_fault_around", ["pte_alloc_one", "do_fault_around", "do_read_fault", "do_fault"], null },
        // __do_fault preallocates the pte before ->fault (5.0+): nothing held.
        { "__do_fault prealloc", ["pte_alloc_one", "__do_fault", "do_read_fault", "do_fault"], null },
        // do_cow_fault allocates and charges its copy before __do_fault: nothing held.
        { "do_cow_fault alloc", ["try_to_free_mem_cgroup_pages", "try_charge_memcg", "mem_cgroup_charge", "do_cow_fault", "do_fault"], null },
        { "do_cow_fault finish", ["pte_alloc_one", "__pte_alloc", "finish_fault", "do_cow_fault", "do_fault"], "finish_fault" },
        // do_shared_fault unlocks the folio before ->page_mkwrite, which locks it again itself.
        { "do_page_mkwrite", ["__mutex_lock", "my_fs_page_mkwrite", "do_page_mkwrite", "do_shared_fault", "do_fault"], null },
        { "filemap_page_mkwrite", ["folio_wait_writeback", "folio_wait_stable", "filemap_page_mkwrite", "do_page_mkwrite", "do_shared_fault"], "filemap_page_mkwrite" },
        // mm/hugetlb.c
        { "hugetlb_no_page", ["__mutex_lock", "hugetlb_wp", "hugetlb_no_page", "hugetlb_fault"], "hugetlb_wp" },
        { "hugetlb_no_page alloc", ["__alloc_pages", "alloc_hugetlb_folio", "hugetlb_no_page", "hugetlb_fault"], null },
        { "hugetlb_no_page reservation", ["kmalloc_trace", "__vma_reservation_common", "hugetlb_no_page", "hugetlb_fault"], "hugetlb_no_page" },
        { "hugetlb_cow", ["down_write", "unmap_ref_private", "hugetlb_cow", "hugetlb_fault"], "hugetlb_cow" },
        { "hugetlb_fault mutex", ["__mutex_lock", "hugetlb_fault", "handle_mm_fault"], null },
        // write_begin
        { "block_write_begin", ["__wait_on_buffer", "__block_write_begin_int", "block_write_begin", "ext2_write_begin"], "block_write_begin" },
        { "iomap_write_begin", ["submit_bio_wait", "iomap_read_folio_sync", "__iomap_write_begin", "iomap_write_begin", "iomap_write_iter"], "iomap_write_begin" },
        { "ext4_write_begin journal", ["wait_transaction_locked", "start_this_handle", "jbd2__journal_start", "__ext4_journal_start_sb", "ext4_write_begin"], null },
        { "ext4_write_begin stable", ["folio_wait_writeback", "folio_wait_stable", "ext4_write_begin", "generic_perform_write"], "ext4_write_begin" },
        { "__filemap_get_folio stable", ["folio_wait_writeback", "folio_wait_stable", "__filemap_get_folio", "block_write_begin"], "__filemap_get_folio" },
        { "grab_cache_page_write_begin", ["wait_on_page_writeback", "wait_for_stable_page", "grab_cache_page_write_begin", "block_write_begin"], "grab_cache_page_write_begin" },
        // mm/truncate.c
        { "truncate_inode_pages_range", ["folio_wait_bit", "folio_wait_writeback", "truncate_inode_pages_range", "ext4_evict_inode"], "truncate_inode_pages_range" },
        { "truncate lock", ["folio_wait_bit_common", "__folio_lock", "truncate_inode_pages_range"], null },
        { "truncate_inode_partial_folio", ["folio_wait_writeback", "truncate_inode_partial_folio", "truncate_inode_pages_range"], "truncate_inode_partial_folio" },
        { "invalidate_inode_pages2_range", ["folio_wait_writeback", "invalidate_inode_pages2_range", "kiocb_invalidate_pages"], "invalidate_inode_pages2_range" },
        // mm/migrate.c
        { "migrate_folio_unmap", ["folio_wait_writeback", "migrate_folio_unmap", "migrate_pages_batch", "migrate_pages"], "migrate_folio_unmap" },
        { "migrate_folio_unmap alloc", ["__alloc_pages", "alloc_migration_target", "migrate_folio_unmap", "migrate_pages_batch"], null },
        { "migrate_folio_move", ["__wait_on_buffer", "__buffer_migrate_folio", "move_to_new_folio", "migrate_folio_move", "migrate_pages_batch"], "move_to_new_folio" },
        { "__unmap_and_move", ["wait_on_page_bit", "wait_on_page_writeback", "__unmap_and_move", "unmap_and_move", "migrate_pages"], "__unmap_and_move" },
    };

    [Theory]
    [MemberData(nameof(KernelCallPaths))]
    public void Holder_rows_follow_the_call_paths_of_their_source(string path, string[] frames, string? holder)
    {
        Assert.True(StackReader.PageLockHeld([.. frames])?.Function == holder, $"{path}: expected {holder ?? "no holder"}, got {StackReader.PageLockHeld([.. frames])?.Function ?? "no holder"}");
    }

    [Theory]
    [InlineData(new[] { "folio_wait_bit_common", "folio_wait_bit_killable", "folio_wait_writeback_killable", "nfs_writepages" }, WaitKind.PageWriteback, "folio_wait_writeback_killable")]
    [InlineData(new[] { "wait_on_page_bit_common", "wait_on_page_bit", "wait_on_page_writeback", "__filemap_fdatawait_range" }, WaitKind.PageWriteback, "wait_on_page_writeback")]
    [InlineData(new[] { "wait_on_page_bit_common", "__lock_page", "write_cache_pages" }, WaitKind.PageLock, "__lock_page")]
    [InlineData(new[] { "folio_wait_bit_common", "folio_wait_bit", "filemap_update_page" }, WaitKind.PageLock, "filemap_update_page")]
    [InlineData(new[] { "folio_wait_bit_common", "writeback_iter", "iomap_writepages" }, WaitKind.PageLock, "writeback_iter")]
    [InlineData(new[] { "folio_wait_bit_common" }, WaitKind.PageLock, "folio_wait_bit_common")]
    public void A_page_flag_wait_is_for_what_its_caller_waits(string[] frames, WaitKind kind, string witness)
    {
        var wait = StackReader.Classify([.. frames]);
        Assert.Equal(kind, wait.Kind);
        Assert.Equal(witness, wait.Witness);
    }

    public static TheoryData<string> WaitRows()
    {
        var data = new TheoryData<string>();
        foreach (var row in StackFunctions.All.Where(r => r.Role == StackRole.WaitsFor)) data.Add(row.Function);
        return data;
    }

    [Theory]
    [MemberData(nameof(WaitRows))]
    public void A_wait_row_names_the_wait_of_a_stack_it_sleeps_in(string function)
    {
        var row = StackFunctions.Of(function, StackRole.WaitsFor)!;
        // Under the scheduler, with an unreliable frame between, and a caller that names nothing.
        var wait = StackReader.Classify(["__schedule", "schedule", "? " + function, function + ".isra.0", "some_caller"]);
        Assert.Equal((row.Waits, function), (wait.Kind, wait.Witness));
    }

    [SkippableFact]
    public void Reading_a_stack_allocates_nothing()
    {
        // A real stack with compiler suffixes (lo_rw_aio.isra.0), read the ways the replay and the detectors read it.
        var stack = StackWith(MemcgCapture(), "ext4_da_write_begin", "lo_rw_aio.isra.0");
        ImmutableArray<string> logStack = [.. stack.Select((f, i) => i % 3 == 1 ? "? " + f : f)];
        void ReadAll()
        {
            StackReader.Contains(stack, "freeze_super", "freeze_bdev", "bdev_freeze", "fs_bdev_freeze");
            StackReader.Contains(logStack, "loop_process_work", "lo_rw_aio");
            StackReader.Classify(stack);
            StackReader.PageLockHeld(logStack);
            StackReader.InMemcgReclaim(stack);
            StackReader.InPageFault(logStack);
        }
        // Twice: the per-thread caches behind the reading may empty once when full; after that every name is in them.
        ReadAll();
        ReadAll();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) ReadAll();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
