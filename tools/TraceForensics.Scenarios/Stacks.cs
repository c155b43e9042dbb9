namespace TraceForensics.Scenarios;

/// <summary>Stacks of the LKML deadlock's two tasks, as this machine's kernel (6.18) prints them (innermost first,
/// below the tracing frames).</summary>
public static class Stacks
{
    /// <summary>F: a page fault that took the faulted page's lock, then allocated a page table charged to a v1 memcg,
    /// entered memcg reclaim and waits for writeback of another page.</summary>
    public static readonly string[] FaultReclaimWaitsWriteback =
    [
        "__schedule+0x3dc/0xf60", "schedule+0x23/0xa0", "io_schedule+0x3f/0x60", "folio_wait_bit+0x120/0x250",
        "folio_wait_writeback+0x2a/0x90", "shrink_folio_list+0x5f2/0xe40", "shrink_lruvec+0x5a8/0xb90",
        "shrink_node+0x2f1/0x7e0", "do_try_to_free_pages+0xb8/0x550", "try_to_free_mem_cgroup_pages+0xf4/0x240",
        "try_charge_memcg+0x1a1/0x6e0", "obj_cgroup_charge_pages+0x49/0xf0", "__memcg_kmem_charge_page+0xb1/0x1e0",
        "__alloc_frozen_pages_noprof+0x186/0x340", "alloc_pages_mpol+0x82/0x180", "alloc_pages_noprof+0x56/0xa0",
        "pte_alloc_one+0x1f/0x120", "__pte_alloc+0x2a/0x160", "do_read_fault+0x11e/0x1b0", "do_fault+0x1a4/0x470",
        "__handle_mm_fault+0x76a/0xf80", "handle_mm_fault+0xe6/0x2c0", "do_user_addr_fault+0x1f4/0x6b0",
        "exc_page_fault+0x6e/0x150", "asm_exc_page_fault+0x26/0x30",
    ];

    /// <summary>F in filemap_fault, sleeping on the lock of the page it faults (its read still in flight).</summary>
    public static readonly string[] FaultWaitsPageLock =
    [
        "__schedule+0x3dc/0xf60", "schedule+0x23/0xa0", "io_schedule+0x3f/0x60", "folio_wait_bit_common+0x13d/0x350",
        "__folio_lock+0x17/0x30", "filemap_fault+0x3a2/0x8c0", "__xfs_filemap_fault+0x6e/0x1f0", "__do_fault+0x33/0x130",
        "do_read_fault+0x11e/0x1b0", "do_fault+0x1a4/0x470", "__handle_mm_fault+0x76a/0xf80", "handle_mm_fault+0xe6/0x2c0",
        "do_user_addr_fault+0x1f4/0x6b0", "exc_page_fault+0x6e/0x150", "asm_exc_page_fault+0x26/0x30",
    ];

    /// <summary>The same on ext4 and btrfs, whose vm_operations_struct's fault is filemap_fault itself (fs/ext4/file.c
    /// ext4_file_vm_ops, fs/btrfs/file.c btrfs_file_vm_ops).</summary>
    public static readonly string[] FilemapFaultWaitsPageLock = [.. FaultWaitsPageLock.Where(f => !f.StartsWith("__xfs_", StringComparison.Ordinal))];

    /// <summary>W: the flusher, in iomap writeback of the inode, sleeping on the next page's lock.</summary>
    public static readonly string[] WritebackWaitsPageLock =
    [
        "__schedule+0x3dc/0xf60", "schedule+0x23/0xa0", "io_schedule+0x3f/0x60", "folio_wait_bit_common+0x13d/0x350",
        "__folio_lock+0x17/0x30", "writeback_iter+0x1a2/0x3c0", "iomap_writepages+0x7b/0xa10",
        "xfs_vm_writepages+0x68/0xa0", "do_writepages+0xcb/0x190", "__writeback_single_inode+0x41/0x310",
        "writeback_sb_inodes+0x21c/0x4f0", "__writeback_inodes_wb+0x4c/0xf0", "wb_writeback+0x193/0x310",
        "wb_workfn+0x2a5/0x440", "process_one_work+0x18c/0x350", "worker_thread+0x192/0x310", "kthread+0xfa/0x240",
        "ret_from_fork+0x166/0x190", "ret_from_fork_asm+0x1a/0x30",
    ];

    /// <summary>ext4's writeback walk: mpage_prepare_extent_to_map locks each dirty page in turn.</summary>
    public static readonly string[] Ext4WritebackWaitsPageLock =
    [
        "__schedule+0x3dc/0xf60", "schedule+0x23/0xa0", "io_schedule+0x3f/0x60", "folio_wait_bit_common+0x13d/0x350",
        "__folio_lock+0x17/0x30", "mpage_prepare_extent_to_map+0x3f4/0x4c0", "ext4_do_writepages+0x3a1/0xd50",
        "ext4_writepages+0xb2/0x1a0", "do_writepages+0xcb/0x190", "__writeback_single_inode+0x41/0x310",
        "writeback_sb_inodes+0x21c/0x4f0", "__writeback_inodes_wb+0x4c/0xf0", "wb_writeback+0x193/0x310",
        "wb_workfn+0x2a5/0x440", "process_one_work+0x18c/0x350", "worker_thread+0x192/0x310", "kthread+0xfa/0x240",
        "ret_from_fork+0x166/0x190", "ret_from_fork_asm+0x1a/0x30",
    ];

    /// <summary>btrfs's writeback walk: extent_write_cache_pages, after its folio_trylock failed and it submitted its bio
    /// (submit_write_bio), sleeps in folio_lock on the next page.</summary>
    public static readonly string[] BtrfsWritebackWaitsPageLock =
    [
        "__schedule+0x3dc/0xf60", "schedule+0x23/0xa0", "io_schedule+0x3f/0x60", "folio_wait_bit_common+0x13d/0x350",
        "__folio_lock+0x17/0x30", "extent_write_cache_pages+0x2d4/0x5b0", "btrfs_writepages+0x7e/0x130",
        "do_writepages+0xcb/0x190", "__writeback_single_inode+0x41/0x310",
        "writeback_sb_inodes+0x21c/0x4f0", "__writeback_inodes_wb+0x4c/0xf0", "wb_writeback+0x193/0x310",
        "wb_workfn+0x2a5/0x440", "process_one_work+0x18c/0x350", "worker_thread+0x192/0x310", "kthread+0xfa/0x240",
        "ret_from_fork+0x166/0x190", "ret_from_fork_asm+0x1a/0x30",
    ];

    /// <summary>A task in fsync waiting for its data's writeback.</summary>
    public static readonly string[] FsyncWaitsWriteback =
    [
        "__schedule+0x3dc/0xf60", "schedule+0x23/0xa0", "io_schedule+0x3f/0x60", "folio_wait_bit+0x120/0x250",
        "folio_wait_writeback+0x2a/0x90", "__filemap_fdatawait_range+0xac/0x110", "file_write_and_wait_range+0x8f/0xc0",
        "xfs_file_fsync+0x4b/0x200", "do_fsync+0x3b/0xa0", "__x64_sys_fsync+0xf/0x20", "do_syscall_64+0x71/0x290",
        "entry_SYSCALL_64_after_hwframe+0x76/0x7e",
    ];
}
