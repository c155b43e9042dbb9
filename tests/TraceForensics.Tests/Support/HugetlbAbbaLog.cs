namespace TraceForensics.Tests.Support;

/// <summary>A real kernel log of the hugetlb fault-mutex deadlock: the hung-task reports, the "likely owned by" line and
/// the held-locks lists, verbatim from Gavin Guo, "[PATCH] mm/hugetlb: fix a deadlock with pagecache_folio and
/// hugetlb_fault_mutex_table", linux-mm and stable, 2025-05-13 (Message-ID 20250513093448.592150-1-gavinguo@igalia.com),
/// kernel 6.15.0-rc3. Process 1 (13229) took the fault mutex, then the page-cache folio's lock in hugetlb_fault, released
/// the mutex in hugetlb_wp around unmap_ref_private and now waits to retake it; process 2 (13250) took the mutex and waits
/// for that folio's lock in __filemap_get_folio.</summary>
public static class HugetlbAbbaLog
{
    public const string Text = """
        INFO: task repro_20250402_:13229 blocked for more than 64 seconds.
              Not tainted 6.15.0-rc3+ #24
        "echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.
        task:repro_20250402_ state:D stack:25856 pid:13229 tgid:13228 ppid:3513   task_flags:0x400040 flags:0x00004006
        Call Trace:
         <TASK>
         __schedule+0x1755/0x4f50
         schedule+0x158/0x330
         schedule_preempt_disabled+0x15/0x30
         __mutex_lock+0x75f/0xeb0
         hugetlb_wp+0xf88/0x3440
         hugetlb_fault+0x14c8/0x2c30
         trace_clock_x86_tsc+0x20/0x20
         do_user_addr_fault+0x61d/0x1490
         exc_page_fault+0x64/0x100
         asm_exc_page_fault+0x26/0x30
        RIP: 0010:__put_user_4+0xd/0x20
         copy_process+0x1f4a/0x3d60
         kernel_clone+0x210/0x8f0
         __x64_sys_clone+0x18d/0x1f0
         do_syscall_64+0x6a/0x120
         entry_SYSCALL_64_after_hwframe+0x76/0x7e
        RIP: 0033:0x41b26d
         </TASK>
        INFO: task repro_20250402_:13229 is blocked on a mutex likely owned by task repro_20250402_:13250.
        task:repro_20250402_ state:D stack:28288 pid:13250 tgid:13228 ppid:3513   task_flags:0x400040 flags:0x00000006
        Call Trace:
         <TASK>
         __schedule+0x1755/0x4f50
         schedule+0x158/0x330
         io_schedule+0x92/0x110
         folio_wait_bit_common+0x69a/0xba0
         __filemap_get_folio+0x154/0xb70
         hugetlb_fault+0xa50/0x2c30
         trace_clock_x86_tsc+0x20/0x20
         do_user_addr_fault+0xace/0x1490
         exc_page_fault+0x64/0x100
         asm_exc_page_fault+0x26/0x30
        RIP: 0033:0x402619
         </TASK>
        INFO: task repro_20250402_:13250 blocked for more than 65 seconds.
              Not tainted 6.15.0-rc3+ #24
        "echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.
        task:repro_20250402_ state:D stack:28288 pid:13250 tgid:13228 ppid:3513   task_flags:0x400040 flags:0x00000006
        Call Trace:
         <TASK>
         __schedule+0x1755/0x4f50
         schedule+0x158/0x330
         io_schedule+0x92/0x110
         folio_wait_bit_common+0x69a/0xba0
         __filemap_get_folio+0x154/0xb70
         hugetlb_fault+0xa50/0x2c30
         trace_clock_x86_tsc+0x20/0x20
         do_user_addr_fault+0xace/0x1490
         exc_page_fault+0x64/0x100
         asm_exc_page_fault+0x26/0x30
        RIP: 0033:0x402619
         </TASK>

        Showing all locks held in the system:
        1 lock held by khungtaskd/35:
         #0: ffffffff879a7440 (rcu_read_lock){....}-{1:3}, at: debug_show_all_locks+0x30/0x180
        2 locks held by repro_20250402_/13229:
         #0: ffff888017d801e0 (&mm->mmap_lock){++++}-{4:4}, at: lock_mm_and_find_vma+0x37/0x300
         #1: ffff888000fec848 (&hugetlb_fault_mutex_table[i]){+.+.}-{4:4}, at: hugetlb_wp+0xf88/0x3440
        3 locks held by repro_20250402_/13250:
         #0: ffff8880177f3d08 (vm_lock){++++}-{0:0}, at: do_user_addr_fault+0x41b/0x1490
         #1: ffff888000fec848 (&hugetlb_fault_mutex_table[i]){+.+.}-{4:4}, at: hugetlb_fault+0x3b8/0x2c30
         #2: ffff8880129500e8 (&resv_map->rw_sema){++++}-{4:4}, at: hugetlb_fault+0x494/0x2c30

        """;
}
