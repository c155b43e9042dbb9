namespace TraceForensics.Events.Model;

/// <summary>A block device or bdi as <c>MAJ:MIN</c> (written <c>7:0</c> or, by block events, <c>7,0</c>).</summary>
public readonly record struct DeviceNumber(int Major, int Minor)
{
    public override string ToString() => $"{Major}:{Minor}";
}
