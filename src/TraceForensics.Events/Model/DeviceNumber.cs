namespace TraceForensics.Events.Model;

/// <summary>A block device or bdi as <c>MAJ:MIN</c> (written <c>7:0</c> or, by block events, <c>7,0</c>).</summary>
public readonly record struct DeviceNumber(int Major, int Minor)
{
    /// <summary><c>LOOP_MAJOR</c> (include/uapi/linux/major.h): the block major of loop devices.</summary>
    public const int LoopMajor = 7;

    /// <summary>A loop device (drivers/block/loop.c), whose I/O a worker does on a backing file.</summary>
    public bool IsLoop => Major == LoopMajor;

    public override string ToString() => $"{Major}:{Minor}";
}
