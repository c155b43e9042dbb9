using TraceForensics.Analysis.Findings;
using TraceForensics.Analysis.Graph;
using TraceForensics.Events.Model;
using TraceForensics.Tests.Support;

namespace TraceForensics.Tests.Analysis;

/// <summary>The frozen-backing stall on every filesystem this kernel has: our own captures (tools/capture/capture-fs.sh,
/// recorded with tracefx record; sample-traces/*.about) give one chain from the waiting dd to the frozen outer
/// filesystem through the bio in flight on the inner loop, its worker, and, on ext4, jbd2 waiting on its own journal
/// write joins the same finding. The fsync and memcg captures are clean.</summary>
public class FilesystemChainTests
{
    private static string Sample(string name) => Path.Combine(TestPaths.SampleTraces, name);

    [Theory]
    [InlineData("ext4", "extent-map-names-page-sector", "7:0")]
    // The outer btrfs is named by its superblock's anonymous device, as the topology's loop line gives it (fs=0:39; its
    // btrfs line puts it on 7:0).
    [InlineData("btrfs", "writeback-joins-builders-bio", "0:39")]
    [InlineData("xfs", null, "7:1")]
    public void A_frozen_backing_stall_is_one_chain_from_dd_to_the_frozen_filesystem(string fs, string? pageInBioRule, string frozenDev)
    {
        string trace = fs == "xfs" ? "xfs-frozen-backing-stall.ftrace.txt.gz" : $"{fs}-frozen-backing-stall.ftrace.txt.gz";
        // With what record saved beside the trace: on btrfs only the topology ties the filesystem's bdi name and fsid to
        // its block device.
        string[] inputs = [Sample(trace), .. new[] { ".dmesg.txt", ".topology.txt" }.Select(x => Sample(trace) + x).Where(File.Exists)];
        var findings = Analyze.Files(inputs);
        Assert.DoesNotContain(findings, f => f.Kind is FindingKind.Deadlock or FindingKind.PotentialDeadlock);
        var stall = Assert.Single(findings, f => f.Kind is FindingKind.Stall or FindingKind.HungTask);
        Assert.Equal(FindingKind.Stall, stall.Kind);
        var dd = Assert.Single(stall.Tasks, t => t.Comm == "dd");
        var frozen = Assert.IsType<FrozenFsNode>(stall.Root);
        Assert.Equal(frozenDev, frozen.Dev?.ToString());
        // dd -> writeback -> a named bio on the inner loop -> the device -> its worker -> the frozen filesystem.
        var inBio = Assert.Single(stall.Chain, e => e.Relation == Relation.InBio);
        Assert.IsType<BioNode>(inBio.To);
        if (pageInBioRule is not null) Assert.Equal(pageInBioRule, inBio.RuleId());
        Assert.Contains(stall.Chain, e => e.Relation == Relation.InFlightOn && e.To is DeviceNode { Dev.IsLoop: true });
        Assert.Contains(stall.Chain, e => e.Relation == Relation.ServedBy);
        Assert.Contains(stall.Chain, e => e.From is TaskNode { Pid: var p } && p == dd.Pid && e.Relation == Relation.WaitsForWriteback);
        if (fs == "ext4")
        {
            // jbd2 waits for its own journal write on the same device: the same finding.
            var jbd2 = Assert.Single(stall.Chain, e => e.Relation == Relation.WaitsForBio);
            Assert.StartsWith("jbd2/", Assert.IsType<TaskNode>(jbd2.From).Comm);
            Assert.Equal("buffer-io-waits-own-bio:bit_wait_io", jbd2.RuleId());
        }
    }

    [Theory]
    [InlineData("ext4-fsync.ftrace.txt.gz")]
    [InlineData("ext4-memcg.ftrace.txt.gz")]
    [InlineData("btrfs-fsync.ftrace.txt.gz")]
    [InlineData("btrfs-memcg.ftrace.txt.gz")]
    public void Fsync_and_memcg_captures_give_no_deadlock_and_no_stall(string trace)
    {
        var findings = Analyze.Files(Sample(trace));
        Assert.DoesNotContain(findings, f => f.Kind is FindingKind.Deadlock or FindingKind.PotentialDeadlock or FindingKind.Stall);
    }
}
