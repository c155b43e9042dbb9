namespace TraceForensics.Ingest.Input;

/// <summary>Keeps the input files a run holds open at once within a bound, whatever the number of inputs: a
/// <see cref="ReopeningFileStream"/> asks for a slot before it reads, and when all are taken the one that read
/// longest ago is closed (it opens again where it was when its turn comes). A file that cannot seek (a FIFO,
/// a pipe, a /proc file) cannot be opened again and is pinned: it holds its slot until disposed. Compressed
/// inputs are read through the same streams (the decompressor reads on from the offset it stopped at), so they
/// are bounded too; what they keep while closed is their decompressor's state.</summary>
public sealed class OpenFileBound(int maxOpen)
{
    private readonly LinkedList<ReopeningFileStream> _open = new(); // least recently read first
    private readonly Lock _lock = new();

    public int MaxOpen { get; } = maxOpen >= 1 ? maxOpen : throw new ArgumentOutOfRangeException(nameof(maxOpen));

    /// <summary>Files open now (pinned ones included).</summary>
    public int OpenCount { get { lock (_lock) return _open.Count; } }

    /// <summary>The most files that were open at once.</summary>
    public int PeakOpen { get; private set; }

    /// <summary>Times a file was closed to make room.</summary>
    public long Evictions { get; private set; }

    /// <summary>Marks <paramref name="stream"/> as just read, first closing the file read longest ago when the bound is
    /// reached and the stream is not open yet.</summary>
    internal void Touch(ReopeningFileStream stream, LinkedListNode<ReopeningFileStream> node, bool opening)
    {
        lock (_lock)
        {
            if (node.List is not null) _open.Remove(node);
            if (opening)
            {
                for (var victim = _open.First; victim is not null && _open.Count >= MaxOpen;)
                {
                    var next = victim.Next;
                    if (!victim.Value.Pinned)
                    {
                        _open.Remove(victim);
                        victim.Value.CloseHandle();
                        Evictions++;
                    }
                    victim = next;
                }
            }
            _open.AddLast(node);
            PeakOpen = Math.Max(PeakOpen, _open.Count);
        }
    }

    internal void Release(LinkedListNode<ReopeningFileStream> node)
    {
        lock (_lock)
            if (node.List is not null) _open.Remove(node);
    }
}
