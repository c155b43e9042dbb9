using System.Collections;

namespace TraceForensics.Replay.Bios;

/// <summary>Items under order numbers given in increasing order (bios in flight, ioends), found by number and walked in
/// order: a hash table and a list of the numbers, not a sorted tree, so 100k items in flight are not 100k tree nodes for
/// the collector. Removed numbers stay in the list until they are more than half of it.</summary>
internal sealed class InOrder<T> : IReadOnlyCollection<T> where T : class
{
    private readonly Dictionary<long, T> _items = new();
    /// <summary>Ascending; may hold numbers removed since.</summary>
    private readonly List<long> _orders = new();

    public int Count => _items.Count;

    public T this[long order]
    {
        get => _items[order];
        set
        {
            if (_items.ContainsKey(order)) _items[order] = value;
            else Add(order, value);
        }
    }

    /// <summary>Adds an item under a number above every number given before (else it is put in its place).</summary>
    public void Add(long order, T item)
    {
        _items.Add(order, item);
        if (_orders.Count == 0 || order > _orders[^1]) _orders.Add(order);
        else
        {
            int at = _orders.BinarySearch(order);
            if (at < 0) _orders.Insert(~at, order);
        }
    }

    public bool TryGetValue(long order, out T item) => _items.TryGetValue(order, out item!);

    public bool Remove(long order) => Remove(order, out _);

    public bool Remove(long order, out T item)
    {
        if (!_items.Remove(order, out item!)) return false;
        if (_orders.Count > 64 && _orders.Count > 2 * _items.Count) _orders.RemoveAll(o => !_items.ContainsKey(o));
        return true;
    }

    /// <summary>The items with their numbers, in order.</summary>
    public IEnumerable<(long Order, T Item)> Pairs
    {
        get
        {
            foreach (long order in _orders)
                if (_items.TryGetValue(order, out var item)) yield return (order, item);
        }
    }

    public IEnumerator<T> GetEnumerator()
    {
        foreach (long order in _orders)
            if (_items.TryGetValue(order, out var item)) yield return item;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
