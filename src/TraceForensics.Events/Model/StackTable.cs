using System.Collections.Immutable;
using System.Runtime.CompilerServices;

namespace TraceForensics.Events.Model;

/// <summary>Interns stacks: each distinct sequence of frames (innermost first, function names without offsets)
/// gets one id, from 1; id 0 is "no stack". Frames are interned strings, so a stack compares by reference. Stacks are
/// built by one thread (the session's reading) while another may look them up (the replay, on its own thread).</summary>
public sealed class StackTable
{
    private readonly List<ImmutableArray<string>> _stacks = new() { ImmutableArray<string>.Empty };
    private readonly Dictionary<int, List<int>> _byHash = new();
    private readonly List<string> _building = new();

    /// <summary>Number of distinct stacks (not counting "no stack").</summary>
    public int Count
    {
        get { lock (_stacks) return _stacks.Count - 1; }
    }

    public ImmutableArray<string> Get(int id)
    {
        lock (_stacks) return (uint)id < (uint)_stacks.Count ? _stacks[id] : ImmutableArray<string>.Empty;
    }

    /// <summary>Starts a new stack; frames are added with <see cref="AddFrame"/> and the id made by <see cref="Complete"/>.</summary>
    public void Begin()
    {
        _building.Clear();
        Cut = 0;
    }

    /// <summary>A table that keeps at most <paramref name="maxFrames"/> frames per stack
    /// (<see cref="TraceForensics.Ingest.Input.InputLimits.MaxStackFrames"/>; the default when not given).</summary>
    public StackTable(int? maxFrames = null) =>
        MaxFrames = maxFrames ?? TraceForensics.Ingest.Input.InputLimits.Default.MaxStackFrames;

    /// <summary>Frames kept per stack: the innermost ones (a kernel stack is at most THREAD_SIZE, 16 KiB on x86-64,
    /// which holds far fewer real frames; more is a looping unwinder or crafted input). Validated where it is set, in
    /// <see cref="TraceForensics.Ingest.Input.InputLimits"/>.</summary>
    public int MaxFrames { get; }

    /// <summary>Frames of the stack being built that were past <see cref="MaxFrames"/> and not kept.</summary>
    public int Cut { get; private set; }

    public void AddFrame(string frame)
    {
        if (_building.Count < MaxFrames) _building.Add(frame);
        else Cut++;
    }

    public bool Building => _building.Count > 0;

    public int Complete()
    {
        if (_building.Count == 0) return 0;
        var h = new HashCode();
        foreach (var f in _building) h.Add(RuntimeHelpers.GetHashCode(f));
        int hash = h.ToHashCode();
        if (_byHash.TryGetValue(hash, out var ids))
        {
            foreach (int id in ids)
                if (SameFrames(_stacks[id])) { _building.Clear(); return id; }
        }
        else
        {
            ids = new List<int>(1);
            _byHash[hash] = ids;
        }
        int newId;
        lock (_stacks)
        {
            newId = _stacks.Count;
            _stacks.Add(_building.ToImmutableArray());
        }
        ids.Add(newId);
        _building.Clear();
        return newId;
    }

    private bool SameFrames(ImmutableArray<string> stack)
    {
        if (stack.Length != _building.Count) return false;
        for (int i = 0; i < stack.Length; i++)
            if (!ReferenceEquals(stack[i], _building[i])) return false;
        return true;
    }
}
