using System.Collections.Immutable;

namespace TraceForensics.Replay.Tasks;

/// <summary>The page-lock knowledge of stacks, as data: the functions that wait for a page lock or a page's writeback,
/// the page-flag waits whose caller says which, the functions that take a page lock, and those that sleep holding one
/// (file faults, hugetlb faults, write_begin, truncate, migration), each with the kernel source (file and function) that
/// justifies it and the names older kernels use. The inference rules read traces and kernel-log stacks through it alike
/// and cite the row they used as their witness. Read from the kernel source: mm/filemap.c, mm/memory.c, mm/hugetlb.c,
/// mm/page-writeback.c, mm/truncate.c, mm/migrate.c, fs/buffer.c, fs/iomap/buffered-io.c, fs/ext4/inode.c.</summary>
public static class PageLockStacks
{
    private const string Folio516 = "5.16+ (the page-to-folio conversion, 2021)";

    /// <summary>Name families of the page-flag waits themselves, which every page wait shares and a short stack leaves out.</summary>
    public static ImmutableArray<string> FlagWaitFamilies { get; } = ["folio_wait_bit", "wait_on_page_bit"];

    public static IReadOnlyList<StackFunction> Rows { get; } =
    [
        // --- Waiting for a page lock ---
        Wait("__folio_lock", WaitKind.PageLock, "mm/filemap.c __folio_lock: folio_wait_bit_common(folio, PG_locked, TASK_UNINTERRUPTIBLE, EXCLUSIVE)",
            $"{Folio516}; __lock_page before"),
        Wait("__folio_lock_killable", WaitKind.PageLock, "mm/filemap.c __folio_lock_killable: folio_wait_bit_common(folio, PG_locked, TASK_KILLABLE, EXCLUSIVE)",
            $"{Folio516}; __lock_page_killable before"),
        Wait("__folio_lock_or_retry", WaitKind.PageLock, "mm/filemap.c __folio_lock_or_retry: a fault's page lock (__folio_lock, __folio_lock_killable, " +
            "or folio_wait_locked after releasing the mmap lock)", $"{Folio516}; __lock_page_or_retry before"),
        Wait("folio_lock_killable", WaitKind.PageLock, "include/linux/pagemap.h folio_lock_killable: __folio_lock_killable when folio_trylock fails " +
            "(a frame only where not inlined)", $"{Folio516}; lock_page_killable before"),
        Wait("folio_put_wait_locked", WaitKind.PageLock, "mm/filemap.c folio_put_wait_locked: drops its reference and waits for PG_locked to clear " +
            "(filemap_update_page, do_read_cache_folio when folio_trylock fails)", $"{Folio516}; put_and_wait_on_page_locked before"),
        Wait("folio_wait_locked", WaitKind.PageLock, "include/linux/pagemap.h folio_wait_locked: folio_wait_bit(folio, PG_locked) while the folio is locked",
            $"{Folio516}; wait_on_page_locked before"),
        Wait("folio_wait_locked_killable", WaitKind.PageLock, "include/linux/pagemap.h folio_wait_locked_killable: folio_wait_bit_killable(folio, PG_locked)",
            $"{Folio516}; wait_on_page_locked_killable before"),
        Wait("__lock_page", WaitKind.PageLock, "mm/filemap.c __lock_page: wait_on_page_bit_common(q, page, PG_locked, TASK_UNINTERRUPTIBLE, EXCLUSIVE)",
            "before 5.16; __folio_lock since"),
        Wait("__lock_page_killable", WaitKind.PageLock, "mm/filemap.c __lock_page_killable: wait_on_page_bit_common(..., PG_locked, TASK_KILLABLE, EXCLUSIVE)",
            "before 5.16; __folio_lock_killable since"),
        Wait("__lock_page_or_retry", WaitKind.PageLock, "mm/filemap.c __lock_page_or_retry: a fault's page lock, or wait_on_page_locked after releasing mmap_sem",
            "before 5.16; __folio_lock_or_retry since"),
        Wait("lock_page", WaitKind.PageLock, "include/linux/pagemap.h lock_page: __lock_page (folio_lock since 5.16) when trylock_page fails " +
            "(a frame only where not inlined)"),
        Wait("put_and_wait_on_page_locked", WaitKind.PageLock, "mm/filemap.c put_and_wait_on_page_locked: drops its reference and waits for PG_locked to clear",
            "4.20-5.15; folio_put_wait_locked since"),
        Wait("wait_on_page_locked", WaitKind.PageLock, "include/linux/pagemap.h wait_on_page_locked: wait_on_page_bit(page, PG_locked) while the page is locked " +
            "(a frame only where not inlined)", "before 5.16; folio_wait_locked since"),
        Wait("wait_on_page_locked_killable", WaitKind.PageLock, "include/linux/pagemap.h wait_on_page_locked_killable: wait_on_page_bit_killable(page, PG_locked)",
            "before 5.16; folio_wait_locked_killable since"),

        // --- Waiting on a page flag: the caller says which ---
        new("folio_wait_bit_common", StackRole.WaitsOnPageFlag, "mm/filemap.c folio_wait_bit_common: the one sleep of every page-flag wait; " +
            "__folio_lock and __folio_lock_killable tail-call it for PG_locked, folio_wait_bit for its caller's flag")
            { Kernels = $"{Folio516}; wait_on_page_bit_common before" },
        new("wait_on_page_bit_common", StackRole.WaitsOnPageFlag, "mm/filemap.c wait_on_page_bit_common: the one sleep of every page-flag wait")
            { Kernels = "before 5.16; folio_wait_bit_common since" },
        new("folio_wait_bit", StackRole.WaitsOnPageFlagForCaller, "mm/filemap.c folio_wait_bit: called by folio_wait_writeback (PG_writeback), " +
            "folio_wait_locked (PG_locked)") { Kernels = $"{Folio516}; wait_on_page_bit before" },
        new("folio_wait_bit_killable", StackRole.WaitsOnPageFlagForCaller, "mm/filemap.c folio_wait_bit_killable: called by folio_wait_writeback_killable " +
            "(PG_writeback), folio_wait_locked_killable (PG_locked)") { Kernels = $"{Folio516}; wait_on_page_bit_killable before" },
        new("wait_on_page_bit", StackRole.WaitsOnPageFlagForCaller, "mm/filemap.c wait_on_page_bit: called by wait_on_page_writeback (PG_writeback), " +
            "wait_on_page_locked (PG_locked)") { Kernels = "before 5.16; folio_wait_bit since" },
        new("wait_on_page_bit_killable", StackRole.WaitsOnPageFlagForCaller, "mm/filemap.c wait_on_page_bit_killable: called by wait_on_page_locked_killable (PG_locked)")
            { Kernels = "before 5.16; folio_wait_bit_killable since" },

        // --- Waiting for a page's writeback ---
        Wait("folio_wait_writeback", WaitKind.PageWriteback, "mm/page-writeback.c folio_wait_writeback: folio_wait_bit(folio, PG_writeback) while under writeback",
            $"{Folio516}; wait_on_page_writeback before"),
        Wait("folio_wait_writeback_killable", WaitKind.PageWriteback, "mm/page-writeback.c folio_wait_writeback_killable: folio_wait_bit_killable(folio, PG_writeback)",
            Folio516),
        Wait("wait_on_page_writeback", WaitKind.PageWriteback, "mm/page-writeback.c wait_on_page_writeback: wait_on_page_bit(page, PG_writeback) while under writeback",
            "before 5.16; a wrapper of folio_wait_writeback after (mm/folio-compat.c)"),
        Wait("folio_wait_stable", WaitKind.PageWriteback, "mm/page-writeback.c folio_wait_stable: folio_wait_writeback when the device needs stable pages",
            $"{Folio516}; wait_for_stable_page before"),
        Wait("wait_for_stable_page", WaitKind.PageWriteback, "mm/page-writeback.c wait_for_stable_page: wait_on_page_writeback when the device needs stable pages",
            "before 5.16; folio_wait_stable since"),
        Wait("__filemap_fdatawait_range", WaitKind.PageWriteback, "mm/filemap.c __filemap_fdatawait_range: folio_wait_writeback on each page under writeback " +
            "in the range (fsync, sync)"),

        // --- Taking a page lock (a bare flag wait under them is a page-lock wait) ---
        Locks("filemap_fault", "mm/filemap.c filemap_fault: lock_folio_maybe_drop_mmap (__folio_lock_killable, tail-called into folio_wait_bit_common); " +
            "filemap_read_folio waits for the read to unlock the folio; returns VM_FAULT_LOCKED with the folio locked"),
        Locks("__filemap_get_folio", "mm/filemap.c __filemap_get_folio: with FGP_LOCK, folio_lock on the folio it found (filemap_lock_folio, " +
            "filemap_lock_hugetlb_folio, write_begin's FGP_WRITEBEGIN)", $"{Folio516}; pagecache_get_page before"),
        Locks("pagecache_get_page", "mm/filemap.c pagecache_get_page: with FGP_LOCK, lock_page on the page it found (find_lock_page, " +
            "grab_cache_page_write_begin)", "before 5.16; __filemap_get_folio since"),
        Locks("filemap_get_pages", "mm/filemap.c filemap_get_pages: filemap_update_page (folio_put_wait_locked when folio_trylock fails), " +
            "filemap_read_folio (waits for the read to unlock the folio)"),
        Locks("filemap_update_page", "mm/filemap.c filemap_update_page: folio_put_wait_locked when folio_trylock fails"),
        Locks("hugetlb_fault", "mm/hugetlb.c hugetlb_fault: under the hugetlb fault mutex, filemap_lock_hugetlb_folio -> __filemap_get_folio(FGP_LOCK) " +
            "for the page-cache folio (before 6.16) and folio_lock of the faulting folio (trylock before 6.16); folio_wait_locked after releasing the mutex " +
            "when that trylock failed"),
        Locks("writeback_iter", "mm/page-writeback.c writeback_iter -> writeback_get_folio: folio_lock on each dirty folio", "6.10+; write_cache_pages before"),
        Locks("write_cache_pages", "mm/page-writeback.c write_cache_pages: lock_page/folio_lock on each dirty page"),
        Locks("mpage_prepare_extent_to_map", "fs/ext4/inode.c mpage_prepare_extent_to_map: folio_lock on each dirty folio"),
        Locks("truncate_inode_pages_range", "mm/truncate.c truncate_inode_pages_range: second pass, folio_lock on each folio left"),
        Locks("migrate_folio_unmap", "mm/migrate.c migrate_folio_unmap: folio_lock(src) when folio_trylock fails in a synchronous migration",
            "6.3+; __unmap_and_move before"),

        // --- Sleeping while holding a page lock: file faults ---
        Holds("finish_fault", HeldPage.FaultedPage, [], "", "mm/memory.c finish_fault: called by do_read_fault, do_cow_fault and do_shared_fault with the " +
            "folio __do_fault returned locked; allocates the page table (pte_alloc -> __pte_alloc -> pte_alloc_one) when none was preallocated, and do_set_pmd",
            "4.10+"),
        Holds("alloc_set_pte", HeldPage.FaultedPage, [], "", "mm/memory.c alloc_set_pte: called by finish_fault with the page locked; pte_alloc_one_map " +
            "-> __pte_alloc", "4.8-5.11; finish_fault since"),
        Holds("do_read_fault", HeldPage.FaultedPage, ["finish_fault", "alloc_set_pte", "__pte_alloc", "do_set_pmd"],
            "only once __do_fault has returned the page locked: while it calls finish_fault (or the __pte_alloc of an inlined finish_fault); " +
            "not in do_fault_around, whose pte_alloc_one preallocates before the fault, nor in __do_fault",
            "mm/memory.c do_read_fault: do_fault_around, __do_fault, finish_fault, folio_unlock"),
        Holds("do_cow_fault", HeldPage.FaultedPage, ["finish_fault", "alloc_set_pte", "__pte_alloc", "do_set_pmd"],
            "only once __do_fault has returned the file page locked: while it calls finish_fault; not while it allocates and charges its copy " +
            "(alloc_page_vma, vma_alloc_folio, mem_cgroup_charge) before the fault",
            "mm/memory.c do_cow_fault: alloc_page_vma and mem_cgroup_charge, __do_fault, copy_user_highpage, finish_fault, unlock_page"),
        Holds("do_shared_fault", HeldPage.FaultedPage, ["finish_fault", "alloc_set_pte", "__pte_alloc", "do_set_pmd"],
            "only while it calls finish_fault; not in do_page_mkwrite: it unlocks the folio before ->page_mkwrite, which locks it again itself",
            "mm/memory.c do_shared_fault: __do_fault, folio_unlock and do_page_mkwrite when the mapping has ->page_mkwrite, finish_fault, " +
            "fault_dirty_shared_page (which unlocks)"),
        Holds("do_fault", HeldPage.FaultedPage, ["finish_fault", "alloc_set_pte", "__pte_alloc"],
            "where do_read_fault, do_cow_fault or do_shared_fault are inlined into it: only while it calls finish_fault (or its inlined __pte_alloc); " +
            "never in __do_fault, do_page_mkwrite or the pte_alloc_one preallocations",
            "mm/memory.c do_fault -> do_read_fault, do_cow_fault, do_shared_fault"),
        Holds("__do_fault", HeldPage.FaultedPage, ["unmap_mapping_pages"],
            "holds nothing while the fault handler runs (filemap_fault takes the lock) or while it preallocates a page table (pte_alloc_one, 5.0+: " +
            "\"mm, memcg: fix reclaim deadlock with writeback\"); only its hardware-poison path sleeps under the lock the handler returned",
            "mm/memory.c __do_fault: pte_alloc_one before vma->vm_ops->fault; lock_page when the handler did not return VM_FAULT_LOCKED"),
        Holds("filemap_page_mkwrite", HeldPage.WriteFaultPage, ["folio_wait_stable", "wait_for_stable_page"],
            "after its folio_lock: while it waits for the page's writeback to end (stable pages)",
            "mm/filemap.c filemap_page_mkwrite: folio_lock, folio_mark_dirty, folio_wait_stable, returns VM_FAULT_LOCKED"),

        // --- hugetlb faults ---
        Holds("hugetlb_wp", HeldPage.HugetlbFolio, [],
            "called with the faulting folio locked (hugetlb_fault: the folio its pte maps, and before 6.16 the page-cache folio too; hugetlb_no_page: its new " +
            "folio); holding it, it may release and retake the hugetlb fault mutex around unmap_ref_private, and allocate (alloc_hugetlb_folio)",
            "mm/hugetlb.c hugetlb_wp (\"should be called with page lock of the original hugepage held\"), hugetlb_fault, hugetlb_no_page",
            "hugetlb_cow before 2022 (renamed with FAULT_FLAG_UNSHARE); 6.16 locks only an anonymous folio for it"),
        Holds("hugetlb_cow", HeldPage.HugetlbFolio, [], "called with the faulting page locked (as hugetlb_wp)",
            "mm/hugetlb.c hugetlb_cow, hugetlb_fault, hugetlb_no_page", "before 2022; hugetlb_wp since"),
        Holds("hugetlb_no_page", HeldPage.HugetlbFolio, ["hugetlb_wp", "hugetlb_cow", "__anon_vma_prepare", "anon_vma_prepare", "vma_needs_reservation",
                "__vma_reservation_common"],
            "after it found its folio locked (filemap_lock_hugetlb_folio, find_lock_page) or allocated and locked it: while it prepares the anon_vma, " +
            "the reservation, or calls hugetlb_wp; not in the lookup, alloc_hugetlb_folio or the zeroing before",
            "mm/hugetlb.c hugetlb_no_page: find_lock_page or alloc_huge_page + hugetlb_add_to_page_cache / lock_page, anon_vma_prepare, " +
            "vma_needs_reservation, hugetlb_wp, unlock_page"),

        // --- write_begin ---
        Holds("block_write_begin", HeldPage.WriteBeginPage, ["__block_write_begin", "__block_write_begin_int"],
            "after __filemap_get_folio(FGP_WRITEBEGIN) returned the folio locked: while it maps and reads its blocks",
            "fs/buffer.c block_write_begin: __filemap_get_folio(FGP_WRITEBEGIN) (grab_cache_page_write_begin before), __block_write_begin_int"),
        Holds("iomap_write_begin", HeldPage.WriteBeginPage, ["__iomap_write_begin", "iomap_read_folio_sync", "iomap_write_begin_inline",
                "iomap_read_inline_data", "__block_write_begin_int"],
            "after __iomap_get_folio returned the folio locked: while it reads the blocks a partial write needs; not in the lookup, whose allocation " +
            "and memcg charge come before the lock (filemap_add_folio)",
            "fs/iomap/buffered-io.c iomap_write_begin: __iomap_get_folio -> __filemap_get_folio(FGP_WRITEBEGIN), __iomap_write_begin -> " +
            "iomap_read_folio_sync (submit_bio_wait)"),
        Holds("ext4_da_write_begin", HeldPage.WriteBeginPage, ["ext4_block_write_begin", "__block_write_begin", "__block_write_begin_int",
                "folio_wait_stable", "wait_for_stable_page"],
            "after __filemap_get_folio(FGP_WRITEBEGIN): while ext4_block_write_begin reserves its blocks (ext4_da_get_block_prep takes i_data_sem); " +
            "not in the lookup, nor in ext4_journal_start where older kernels start a handle here with the page unlocked",
            "fs/ext4/inode.c ext4_da_write_begin: __filemap_get_folio(FGP_WRITEBEGIN), ext4_block_write_begin(ext4_da_get_block_prep)"),
        Holds("ext4_write_begin", HeldPage.WriteBeginPage, ["folio_wait_stable", "wait_for_stable_page", "ext4_block_write_begin", "__block_write_begin",
                "__block_write_begin_int", "ext4_walk_page_buffers"],
            "after it locks the folio again once its journal handle is started: not in ext4_journal_start, which it calls with the folio unlocked " +
            "(the journal ranks outside the page lock)",
            "fs/ext4/inode.c ext4_write_begin: __filemap_get_folio, folio_unlock, ext4_journal_start, folio_lock, folio_wait_stable, ext4_block_write_begin"),
        Holds("__filemap_get_folio", HeldPage.WriteBeginPage, ["folio_wait_stable"],
            "with FGP_STABLE (part of FGP_WRITEBEGIN): it waits for the writeback of the folio it has just locked",
            "mm/filemap.c __filemap_get_folio: folio_lock, then folio_wait_stable when FGP_STABLE", Folio516),
        Holds("grab_cache_page_write_begin", HeldPage.WriteBeginPage, ["wait_for_stable_page", "folio_wait_stable"],
            "it waits for the writeback of the page pagecache_get_page returned locked",
            "mm/filemap.c grab_cache_page_write_begin: pagecache_get_page(FGP_LOCK|FGP_WRITE|FGP_CREAT), wait_for_stable_page",
            "before __filemap_get_folio(FGP_WRITEBEGIN) replaced it"),

        // --- truncate and invalidation ---
        Holds("truncate_inode_pages_range", HeldPage.TruncatedPage, ["folio_wait_writeback", "wait_on_page_writeback", "truncate_inode_folio",
                "truncate_inode_page", "truncate_inode_partial_folio", "truncate_cleanup_folio", "truncate_cleanup_page", "folio_invalidate",
                "do_invalidatepage"],
            "after its folio_lock (second pass) or the trylock of find_lock_entries (first pass): while it waits for the folio's writeback and removes it",
            "mm/truncate.c truncate_inode_pages_range: folio_lock, folio_wait_writeback, truncate_inode_folio, folio_unlock"),
        Holds("truncate_inode_partial_folio", HeldPage.TruncatedPage, [],
            "called with the folio locked (by __filemap_get_folio(FGP_LOCK) in truncate_inode_pages_range)",
            "mm/truncate.c truncate_inode_partial_folio: folio_wait_writeback, folio_invalidate, try_folio_split"),
        Holds("truncate_inode_folio", HeldPage.TruncatedPage, [], "called with the folio locked",
            "mm/truncate.c truncate_inode_folio: truncate_cleanup_folio (folio_invalidate), filemap_remove_folio", "truncate_inode_page before the folio conversion"),
        Holds("invalidate_inode_pages2_range", HeldPage.TruncatedPage, ["folio_wait_writeback", "wait_on_page_writeback", "folio_unmap_invalidate",
                "folio_launder", "invalidate_complete_folio2", "unmap_mapping_folio"],
            "after its folio_lock: while it waits for the folio's writeback, launders and invalidates it",
            "mm/truncate.c invalidate_inode_pages2_range: folio_lock, folio_wait_writeback, folio_unmap_invalidate, folio_unlock"),

        // --- migration ---
        Holds("migrate_folio_unmap", HeldPage.MigratedFolio, ["folio_wait_writeback", "try_to_migrate", "folio_get_anon_vma", "try_to_free_buffers"],
            "after its folio_lock(src): while it waits for the folio's writeback (MIGRATE_SYNC) and unmaps it; not in get_new_folio, which allocates " +
            "the destination before the lock",
            "mm/migrate.c migrate_folio_unmap: get_new_folio, folio_trylock/folio_lock(src), folio_wait_writeback, try_to_migrate", "6.3+; __unmap_and_move before"),
        Holds("migrate_folio_move", HeldPage.MigratedFolio, [], "called with the source and destination folios locked",
            "mm/migrate.c migrate_folio_move: move_to_new_folio, remove_migration_ptes, folio_unlock(dst), folio_unlock(src)", "6.3+"),
        Holds("migrate_pages_batch", HeldPage.MigratedFolio, ["folio_wait_writeback", "try_to_migrate", "move_to_new_folio", "remove_migration_ptes",
                "split_folio_to_list"],
            "where migrate_folio_unmap, migrate_folio_move or try_split_folio are inlined into it: while it waits for writeback, unmaps, moves or splits " +
            "a locked folio",
            "mm/migrate.c migrate_pages_batch -> migrate_folio_unmap, migrate_folio_move, try_split_folio", "6.3+"),
        Holds("unmap_and_move_huge_page", HeldPage.MigratedFolio, ["try_to_migrate", "try_to_unmap", "move_to_new_folio", "move_to_new_page",
                "remove_migration_ptes", "hugetlb_page_mapping_lock_write"],
            "after its folio_lock(src): while it unmaps and moves the hugetlb folio",
            "mm/migrate.c unmap_and_move_huge_page: folio_trylock/folio_lock(src), try_to_migrate, move_to_new_folio"),
        Holds("__unmap_and_move", HeldPage.MigratedFolio, ["wait_on_page_writeback", "folio_wait_writeback", "try_to_migrate", "try_to_unmap",
                "move_to_new_page", "move_to_new_folio", "remove_migration_ptes"],
            "after its lock_page(page): while it waits for the page's writeback (MIGRATE_SYNC), unmaps and moves it",
            "mm/migrate.c __unmap_and_move: trylock_page/lock_page, wait_on_page_writeback, try_to_unmap, move_to_new_page", "before 6.3"),
        Holds("move_to_new_folio", HeldPage.MigratedFolio, [], "called with both folios locked (->migrate_folio may lock the buffers)",
            "mm/migrate.c move_to_new_folio", "move_to_new_page before the folio conversion"),

        // --- Context: reclaim and faults ---
        new("try_to_free_mem_cgroup_pages", StackRole.ReclaimsMemcg, "mm/vmscan.c try_to_free_mem_cgroup_pages: reclaim charged to a memory cgroup at its limit"),
        new("shrink_folio_list", StackRole.ShrinksPageList, "mm/vmscan.c shrink_folio_list: frees a list of folios; in legacy (cgroup v1) memcg reclaim " +
            "it waits for the writeback of a folio marked for reclaim") { Kernels = "the folio name since the vmscan folio conversion (2022); shrink_page_list before" },
        new("shrink_page_list", StackRole.ShrinksPageList, "mm/vmscan.c shrink_page_list: as shrink_folio_list") { Kernels = "before the vmscan folio conversion (2022)" },
        new("handle_mm_fault", StackRole.HandlesPageFault, "mm/memory.c handle_mm_fault: the fault handling of the mm (hugetlb_fault or __handle_mm_fault)"),
        new("__handle_mm_fault", StackRole.HandlesPageFault, "mm/memory.c __handle_mm_fault"),
        new("exc_page_fault", StackRole.HandlesPageFault, "arch/x86/mm/fault.c exc_page_fault: the x86 page-fault entry") { Kernels = "5.8+; do_page_fault before" },
        new("do_page_fault", StackRole.HandlesPageFault, "arch/*/mm/fault.c do_page_fault: the page-fault entry of older x86 and other architectures"),
    ];

    private static StackFunction Wait(string function, WaitKind kind, string source, string kernels = "") =>
        new(function, StackRole.WaitsFor, source) { Waits = kind, Kernels = kernels };

    private static StackFunction Locks(string function, string source, string kernels = "") =>
        new(function, StackRole.LocksPage, source) { Kernels = kernels };

    private static StackFunction Holds(string function, HeldPage page, ImmutableArray<string> whileCalling, string condition, string source, string kernels = "") =>
        new(function, StackRole.HoldsPageLock, source) { Holds = page, WhileCalling = whileCalling, Condition = condition, Kernels = kernels };
}
