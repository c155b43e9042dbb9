using TraceForensics.Capture;
using TraceForensics.Events.Model;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Events;

/// <summary>fs/fuse/fuse_trace.h payloads, on lines of sample-traces/fuse-block.ftrace.txt.gz: the connection is a kernel
/// dev_t (MAJOR in the top 12 bits, MINOR in the low 20), the anonymous device of the FUSE superblock.</summary>
public class FusePayloadTests
{
    [Fact]
    public void Request_send_names_the_connection_device_and_the_unique_id()
    {
        var e = Run.OneEvent("dd-21806 [001] 6094.414593706: fuse_request_send: connection 40 req 14 opcode 16 (FUSE_WRITE) len 262224",
            EventKind.FuseRequestSend);
        Assert.Equal("0:40", e.Payload.Dev?.ToString());
        Assert.Equal(14, e.Payload.Count);
    }

    [Fact]
    public void Request_end_of_a_connection_past_the_minor_bits()
    {
        // 1048581 = (1 << 20) | 5: major 1, minor 5.
        var e = Run.OneEvent("stallfs-21781 [000] 6094.300000000: fuse_request_end: connection 1048581 req 8 len 32 error 0", EventKind.FuseRequestEnd);
        Assert.Equal("1:5", e.Payload.Dev?.ToString());
        Assert.Equal(8, e.Payload.Count);
    }

    [Fact]
    public void A_dev_fuse_holder_survives_the_topology_round_trip()
    {
        var topology = new StorageTopology();
        topology.Mounts.Add(new StorageTopology.Mount("0:40", "/mnt/f"u8.ToArray(), "fuse.stallfs"));
        topology.FuseDevHolders.Add(new StorageTopology.FuseDevHolder("10:229", 21781, "stall fs\n"u8.ToArray()));
        var text = topology.Format();
        Assert.Contains("fusedev 10:229 pid=21781 comm=stall\\040fs\\012\n", text);
        var (session, events) = Run.Text(text);
        Assert.Empty(session.Tables.Diagnostics.Kept);
        var holder = Assert.Single(events, e => e.Kind == EventKind.FuseDevHolder);
        Assert.Equal(21781, holder.Payload.OtherPid);
        Assert.Equal("stall fs\n", holder.Payload.OtherComm);
        Assert.Equal(new DeviceNumber(10, 229), holder.Payload.Dev);
    }

    [Theory]
    [InlineData("fusedev 10:229 comm=stallfs")]
    [InlineData("fusedev 10:229 pid=-3 comm=stallfs")]
    [InlineData("fusedev 10:229 pid=x")]
    [InlineData("stack 10:229 tid=5 state=S frames=a+0x1/0x2")]
    [InlineData("stack 10:229 pid=5 state=S")]
    [InlineData("stack 10:229 pid=5 tid=5 frames=a")]
    [InlineData("stack 10:229 pid=5 tid=5 state=sleeping")]
    [InlineData("stack 10:229 pid=5 tid=0 state=S")]
    [InlineData("stack 10:229 pid=5 tid=5 state=S frames=+0x1/0x2")]
    public void A_dev_fuse_holder_or_thread_stack_line_without_its_ids_is_a_diagnostic(string line)
    {
        var (session, events) = Run.Text($"# tracefx topology v4\n{line}\n");
        Assert.DoesNotContain(events, e => e.Kind is EventKind.FuseDevHolder or EventKind.ThreadStack);
        Assert.Contains(session.Tables.Diagnostics.Kept, d => d.Line == 2);
    }

    [Fact]
    public void A_daemon_thread_stack_is_read_from_proc_and_survives_the_topology_round_trip()
    {
        // A /proc of one daemon (pid 5363) with two threads: the main one in its write handler, one reading /dev/fuse
        // (its comm with a ')' and a space, as stat's "(comm)" field can hold them).
        var proc = Directory.CreateTempSubdirectory("tfx-proc").FullName;
        try
        {
            void Thread(int tid, string comm, char state, string wchan, string syscall, string stack)
            {
                var dir = Directory.CreateDirectory(Path.Combine(proc, "5363", "task", tid.ToString(System.Globalization.CultureInfo.InvariantCulture))).FullName;
                File.WriteAllText(Path.Combine(dir, "stat"), $"{tid} ({comm}) {state} 1 5363 5363 0 -1 4194560 0\n");
                File.WriteAllText(Path.Combine(dir, "comm"), comm + "\n");
                File.WriteAllText(Path.Combine(dir, "wchan"), wchan);
                File.WriteAllText(Path.Combine(dir, "syscall"), syscall + "\n");
                File.WriteAllText(Path.Combine(dir, "stack"), stack);
            }
            Thread(5363, "stallfs", 'S', "anon_pipe_read", "0 0x4 0x7ffc 0x1 0x0 0x0 0x0 0x7ffd 0x7f12",
                "[<0>] anon_pipe_read+0x393/0x440\n[<0>] vfs_read+0x397/0x3d0\n[<0>] ksys_read+0xc3/0xf0\n[<0>] do_syscall_64+0x71/0x290\n");
            Thread(5370, "a) b", 'S', "fuse_dev_do_read", "0 0x5", "[<0>] fuse_dev_do_read+0xa94/0xaf0\n[<0>] fuse_dev_read+0xa3/0xe0\n");
            var topology = new StorageTopology();
            topology.Mounts.Add(new StorageTopology.Mount("0:40", "/mnt/f"u8.ToArray(), "fuse.stallfs"));
            topology.FuseDevHolders.Add(new StorageTopology.FuseDevHolder("10:229", 5363, "stallfs"u8.ToArray()));
            topology.ReadStacksOfFuseDevHolders(proc);
            var text = topology.Format();
            Assert.StartsWith("# tracefx topology v4\n", text);
            Assert.Contains("stack 10:229 pid=5363 tid=5363 comm=stallfs state=S wchan=anon_pipe_read syscall=0 frames=anon_pipe_read+0x393/0x440,vfs_read+0x397/0x3d0,ksys_read+0xc3/0xf0,do_syscall_64+0x71/0x290\n", text);
            Assert.Contains("stack 10:229 pid=5363 tid=5370 comm=a)\\040b state=S wchan=fuse_dev_do_read syscall=0 frames=fuse_dev_do_read+0xa94/0xaf0,fuse_dev_read+0xa3/0xe0\n", text);
            var (session, events) = Run.Text(text);
            Assert.Empty(session.Tables.Diagnostics.Kept);
            var stacks = events.Where(e => e.Kind == EventKind.ThreadStack).ToList();
            Assert.Equal([5363, 5370], stacks.Select(e => e.Payload.OtherPid ?? 0));
            var reader = stacks[1];
            Assert.Equal("a) b", reader.Payload.OtherComm);
            Assert.Equal(5363, reader.Payload.Topology?.ThreadGroup);
            Assert.Equal('S', reader.Payload.Topology?.ThreadState);
            Assert.Equal("fuse_dev_do_read", reader.Payload.Topology?.Wchan);
            Assert.Equal(["fuse_dev_do_read", "fuse_dev_read"], reader.Payload.Topology!.Frames.ToArray());
            // The daemon gone: no stack, and no error.
            topology.FuseDevHolders[0] = topology.FuseDevHolders[0] with { Pid = 99999 };
            topology.ReadStacksOfFuseDevHolders(proc);
            Assert.Empty(topology.Stacks);
        }
        finally { Directory.Delete(proc, recursive: true); }
    }
}
