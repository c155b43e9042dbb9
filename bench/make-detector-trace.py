#!/usr/bin/env python3
"""Makes kernel logs that stress the detectors' own cost (issue #16 item 6), not the reader's:

  ring N: N tasks in a wait-for ring. Task i is reported hung in __mutex_lock and khungtaskd names the owner
          ("INFO: task t:P is blocked on a mutex likely owned by task t:Q.", kernel/hung_task.c
          debug_show_blocker), the owner of the last task being the first: one deadlock of N tasks.
  line N: the same N tasks, but the owner of the last one is a task that is not reported (not a ring): a line of N
          tasks each waiting for the next.
  held N: N tasks in a ring found only through the held-locks list ("Showing all locks held in the system:",
          kernel/locking/lockdep.c debug_show_all_locks): task i is hung in __mutex_lock with no "likely owned by"
          line; its list shows the mutex it holds (#0, a lock class of its own: the graph's lock nodes are by class) and, last, the one it waits for, held by task i+1 (#1).
  hung N: N hung-task reports in the syzkaller form of ../shared/corpus/syzkaller/hung (the p9_fd_close report's
          stack, "[ time][   T41]" prefixes), each for its own pid, none naming a blocker: N hung tasks.

usage: make-detector-trace.py ring|line|hung|held N OUT"""
import sys

def hung_in_mutex(out, i, pid):
    """Task i's hung-task report, hung in __mutex_lock; returns the line prefix."""
    p = "[%12.6f][   T41] " % (100.0 + i * 1e-5)
    out.write(f"{p}INFO: task t{i}:{pid} blocked for more than 120 seconds.\n")
    out.write(f"{p}task:t{i} state:D stack:0 pid:{pid} tgid:{pid} ppid:1 flags:0x00004000\n")
    out.write(f"{p}Call Trace:\n{p} <TASK>\n{p} __schedule+0x3dc/0xf60\n{p} schedule+0x23/0xa0\n")
    out.write(f"{p} schedule_preempt_disabled+0x15/0x30\n{p} __mutex_lock+0x75f/0xeb0\n")
    out.write(f"{p} ring_step+0x{i % 4096:x}/0x2000\n{p} </TASK>\n")
    return p


def ring(n, out, closed=True):
    base = 1000
    for i in range(n):
        pid, owner = base + i, base + ((i + 1) % n if closed else i + 1)
        p = hung_in_mutex(out, i, pid)
        out.write(f"{p}INFO: task t{i}:{pid} is blocked on a mutex likely owned by task t{owner - base}:{owner}.\n")


def line(n, out):
    ring(n, out, closed=False)


def held(n, out):
    base = 1000
    lock = lambda i: 0xffff888000000000 + (i % n) * 0x40
    for i in range(n):
        hung_in_mutex(out, i, base + i)
    p = "[%12.6f][   T41] " % (100.0 + n * 1e-5)
    out.write(f"{p}\n{p}Showing all locks held in the system:\n")
    for i in range(n):
        out.write(f"{p}2 locks held by t{i}/{base + i}:\n")
        out.write(f"{p} #0: {lock(i):016x} (&ring_lock#{i}){{+.+.}}-{{4:4}}, at: ring_step+0x{i % 4096:x}/0x2000\n")
        out.write(f"{p} #1: {lock(i + 1):016x} (&ring_lock#{(i + 1) % n}){{+.+.}}-{{4:4}}, at: ring_step+0x{i % 4096:x}/0x2000\n")

HUNG_STACK = """__schedule+0x10e9/0x6820
? __pfx___schedule+0x10/0x10
schedule+0xdd/0x390
schedule_timeout+0x1b2/0x280
? __pfx_schedule_timeout+0x10/0x10
__wait_for_common+0x2e7/0x4c0
? __pfx___wait_for_common+0x10/0x10
__flush_work+0x7c7/0xcb0
? __pfx___flush_work+0x10/0x10
p9_fd_close+0x299/0x5a0
p9_client_create+0x678/0xd40
v9fs_session_init+0x3c/0xd20
v9fs_get_tree+0xb8/0xb50
vfs_get_tree+0x92/0x320
path_mount+0x7d0/0x23d0
__ia32_sys_mount+0x292/0x310
__do_fast_syscall_32+0xe7/0x950
do_fast_syscall_32+0x32/0x70
entry_SYSENTER_compat_after_hwframe+0x84/0x8e""".split("\n")

def hung(n, out):
    for i in range(n):
        pid = 10000 + i
        ts = 1052.0 + i * 1e-4
        p = "[%12.6f][   T41] " % ts
        out.write(f"{p}INFO: task syz.{i % 8}.{i}:{pid} blocked for more than 143 seconds.\n")
        out.write(f"{p}      Not tainted syzkaller #0\n")
        out.write(f'{p}"echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.\n')
        out.write(f"{p}task:syz.{i % 8}.{i} state:D stack:25960 pid:{pid} tgid:{pid} ppid:5800  task_flags:0x400140 flags:0x08080002\n")
        out.write(f"{p}Call Trace:\n{p} <TASK>\n")
        for frame in HUNG_STACK:
            out.write(f"{p} {frame}\n")
        out.write(f"{p} </TASK>\n")

if __name__ == "__main__":
    shapes = {"ring": ring, "line": line, "hung": hung, "held": held}
    if len(sys.argv) != 4 or sys.argv[1] not in shapes:
        sys.exit(__doc__)
    with open(sys.argv[3], "w") as out:
        shapes[sys.argv[1]](int(sys.argv[2]), out)
