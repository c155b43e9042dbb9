namespace TraceForensics.Events.Reading;

/// <summary>Threads of a session that decode runs of lines (<see cref="DecodedLines"/>) handed to them, whichever
/// input they come from. Dedicated threads that sleep on a monitor when there is nothing to do (the thread pool's
/// workers and semaphores spin first, which on a machine of two cores takes the core the reading or the replay
/// needs). Whoever waits for a run not yet decoded takes a queued run and decodes it itself (<see cref="Help"/>).</summary>
internal sealed class DecodeWorkers : IDisposable
{
    private readonly EventTables _tables;
    private readonly Queue<DecodedLines> _queue = new();
    private readonly Thread[] _threads;
    private bool _stopping;

    public DecodeWorkers(EventTables tables, int threads)
    {
        _tables = tables;
        _threads = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            _threads[i] = new Thread(Run) { IsBackground = true, Name = "tracefx decoding" };
            _threads[i].Start();
        }
    }

    public void Post(DecodedLines run)
    {
        lock (_queue)
        {
            _queue.Enqueue(run);
            Monitor.Pulse(_queue);
        }
    }

    /// <summary>Waits until <paramref name="run"/> is decoded, decoding queued runs meanwhile.</summary>
    public void WaitFor(DecodedLines run)
    {
        while (!run.Decoded)
        {
            if (!Help()) run.WaitDecoded();
        }
        run.ThrowIfFailed();
    }

    /// <summary>Decodes one queued run on the caller's thread; false when none is queued.</summary>
    private bool Help()
    {
        DecodedLines? run;
        lock (_queue)
        {
            if (!_queue.TryDequeue(out run)) return false;
        }
        DecodeOne(run);
        return true;
    }

    private void Run()
    {
        while (true)
        {
            DecodedLines run;
            lock (_queue)
            {
                while (_queue.Count == 0 && !_stopping) Monitor.Wait(_queue);
                if (_stopping) return;
                run = _queue.Dequeue();
            }
            DecodeOne(run);
        }
    }

    private void DecodeOne(DecodedLines run)
    {
        try
        {
            run.Decode(_tables.ThreadDecoder);
            run.MarkDecoded(null);
        }
        catch (Exception e)
        {
            run.MarkDecoded(e);
        }
    }

    public void Dispose()
    {
        lock (_queue)
        {
            _stopping = true;
            Monitor.PulseAll(_queue);
        }
        foreach (var t in _threads) t.Join();
    }
}
