namespace TraceForensics.Tests.Live;

/// <summary>The tests that arm this machine's kernel (tracefs instances, loop devices, frozen filesystems) run one at a
/// time and alone, after the parallel tests: some set process-wide state ($TMPDIR), and all of them compete for the
/// same kernel.</summary>
[CollectionDefinition("live kernel", DisableParallelization = true)]
public sealed class LiveKernelCollection;
