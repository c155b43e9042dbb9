using TraceForensics.Events.Dictionary;
using TraceForensics.Events.Model;
using TraceForensics.Ingest.Diagnostics;
using TraceForensics.Ingest.Formats;
using TraceForensics.Ingest.Input;

namespace TraceForensics.Events.Reading;

/// <summary>The inputs of one run, read as one stream of events merged in time order. Each input is opened,
/// decompressed and its format detected (or taken from <see cref="TraceSessionOptions.Format"/>); an input that
/// cannot be read is rejected with a diagnostic and the others are still read.</summary>
public sealed class TraceSession : IDisposable
{
    private readonly List<InputReader> _readers = new();
    private TraceEvent[] _heads = [];
    private bool[] _hasHead = [];
    private bool _started;
    private readonly int _workers;
    private readonly Lazy<DecodeWorkers>? _decodeWorkers;
    private readonly long _parallelAfterBytes;
    private readonly bool _readAhead;
    private long _taken;
    private EventPump? _pump;
    private long _stopAfterNs = long.MaxValue;

    private TraceSession(EventTables tables, TraceSessionOptions options)
    {
        Tables = tables;
        Limits = options.Limits;
        _workers = options.Parallelism;
        _parallelAfterBytes = options.ParallelAfterBytes;
        _readAhead = options.ReadAhead;
        // The reading thread decodes too (while it waits for a run): one thread fewer than the cores.
        if (_workers > 1) _decodeWorkers = new(() => new DecodeWorkers(tables, _workers - 1));
    }

    public EventTables Tables { get; }
    /// <summary>The bounds this session reads within, for what reads its events on (the replay's).</summary>
    public InputLimits Limits { get; }
    public IReadOnlyList<InputSummary> Inputs => _inputs;
    private readonly List<InputSummary> _inputs = new();

    /// <summary>True when at least one input could be opened and recognised.</summary>
    public bool AnyReadable => _readers.Count > 0;

    /// <summary>A session over files (or "-", stdin). At most <see cref="InputLimits.MaxOpenFiles"/> of them are open
    /// at once (<see cref="OpenFiles"/>): the others are closed while they wait and opened again where they were.</summary>
    public static TraceSession Open(IEnumerable<string> paths, TraceSessionOptions? options = null)
    {
        options ??= new TraceSessionOptions();
        var list = paths as IReadOnlyList<string> ?? paths.ToList();
        var session = Create(options);
        session._inputCount = list.Count;
        session.OpenFiles = new OpenFileBound(options.Limits.MaxOpenFiles);
        foreach (var path in list) session.Add(path, () => InputOpener.Open(path, options.HashInputs, session.OpenFiles), options);
        return session;
    }

    /// <summary>The bound on the input files open at once (null for a session over streams).</summary>
    public OpenFileBound? OpenFiles { get; private set; }

    private int _inputCount = 1;

    /// <summary>A session over streams (tests, stdin already opened).</summary>
    public static TraceSession Open(IEnumerable<(string Name, Func<Stream> Open)> inputs, TraceSessionOptions? options = null)
    {
        options ??= new TraceSessionOptions();
        var session = Create(options);
        var list = inputs as IReadOnlyList<(string Name, Func<Stream> Open)> ?? inputs.ToList();
        session._inputCount = list.Count;
        foreach (var (name, open) in list) session.Add(name, () => InputOpener.Open(open()), options);
        return session;
    }

    /// <summary>A session over one source of records already opened (a live reading's batch of ring-buffer pages,
    /// <c>tracefx watch</c>), named <paramref name="name"/>.</summary>
    public static TraceSession Open(string name, IRecordSource records, TraceSessionOptions? options = null)
    {
        options ??= new TraceSessionOptions();
        var session = Create(options);
        var summary = new InputSummary(name);
        session._inputs.Add(summary);
        session._readers.Add(new InputReader(records, Compression.None, 0, summary, session.Tables));
        return session;
    }

    /// <summary>An empty session whose dictionary holds the user's events map, if any.</summary>
    private static TraceSession Create(TraceSessionOptions options)
    {
        if (options.SharedTables is { } shared) return new TraceSession(new EventTables(shared, new DiagnosticLog()), options);
        var dictionary = new EventDictionary();
        var diagnostics = new DiagnosticLog();
        if (options.EventsMapPath is { } map) EventsMapFile.Load(map, dictionary, diagnostics, options.Limits.MaxEventsMapBytes);
        return new TraceSession(new EventTables(dictionary, diagnostics, options.Limits), options);
    }

    private void Add(string path, Func<OpenedInput> open, TraceSessionOptions options)
    {
        var summary = new InputSummary(path);
        _inputs.Add(summary);
        if (_inputs.Count > options.Limits.MaxInputs)
        {
            Reject(summary, DiagnosticCodes.LimitReached,
                $"not read: the run has more inputs than {InputLimits.Describe(nameof(InputLimits.MaxInputs), options.Limits.MaxInputs)}");
            return;
        }
        OpenedInput input;
        try
        {
            input = open();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            Reject(summary, DiagnosticCodes.UnreadableInput, $"cannot open: {e.Message}");
            return;
        }
        summary.Compression = input.Compression;
        summary.HashFrom(input);
        var format = options.Format;
        if (format == TraceFormat.DotnetDump)
        {
            Reject(summary, DiagnosticCodes.UnsupportedFormat, "a .NET process dump is read by `tracefx analyze` (alone), not as a trace");
            input.Dispose();
            return;
        }
        if (format is not (TraceFormat.Unknown or TraceFormat.TraceDat) && FormatDetector.NotText(input.Head) is { } notText)
        {
            // A format given for an input that is not text would read nothing and say nothing (issue 16, item 11).
            Reject(summary, DiagnosticCodes.UnsupportedFormat, $"{notText}: not read as {format.Name()} text");
            input.Dispose();
            return;
        }
        if (format == TraceFormat.Unknown)
        {
            var detection = FormatDetector.Detect(input.Head);
            // Nothing recognised in a full sniff: a first line longer than the sniff or junk before the trace; look as far
            // as the longest line read (issue 16, item 10).
            if (detection.Format == TraceFormat.Unknown && input.ExtendHead(options.Limits.MaxLineBytes))
                detection = FormatDetector.Detect(input.Head);
            if (detection.Format == TraceFormat.Unknown)
            {
                string why = detection.Rejection ?? "unknown format";
                if (input.ReadError is { } err) why = $"cannot decompress ({err})";
                Reject(summary, DiagnosticCodes.UnsupportedFormat, why);
                input.Dispose();
                return;
            }
            format = detection.Format;
        }
        // The sniffed head is read again from the file rather than held while the input waits (see ReleaseHead).
        if (format != TraceFormat.TraceDat) input.ReleaseHead();
        _readers.Add(new InputReader(RecordSources.Open(input, format, options.Limits, _inputCount), input.Compression,
            _inputs.Count - 1, summary, Tables, _decodeWorkers, _parallelAfterBytes));
    }

    private void Reject(InputSummary summary, string code, string message)
    {
        summary.Rejection = message;
        Tables.Diagnostics.Report(summary.Path, 0, DiagnosticSeverity.Error, code, message);
    }

    /// <summary>Ends the reading after the first event later than <paramref name="ns"/> (an analysis that stops there):
    /// what the inputs' summaries and the diagnostics say is then what a reading stopped at that event saw, even when
    /// the reading runs ahead on its own thread. Before the first <see cref="Read"/> (later, it is ignored).</summary>
    public void StopAfter(long ns)
    {
        if (!_started && _pump is null) _stopAfterNs = ns;
    }

    /// <summary>The next event of all inputs in time order (ties: input order, then line order). With more than one
    /// worker (<see cref="TraceSessionOptions.Parallelism"/>), the inputs are read and merged on a thread of their own
    /// (<see cref="EventPump"/>) while the caller takes the events: the same events in the same order.</summary>
    public bool Read(out TraceEvent e)
    {
        if (_pump is not null) return _pump.Read(out e);
        if (_workers > 1 && (_taken++ & 4095) == 0 && BytesRead >= _parallelAfterBytes && _readers.Count > 0 && !_stopped
            && (_readAhead || !_readers.Exists(r => r.DecodesInRuns)))
        {
            // From here the reading goes on on the pump's thread, where it stands.
            _pump = new EventPump(_readers.Count == 1 && _stopAfterNs == long.MaxValue ? ReadOnly : ReadMerged, _stopAfterNs);
            return _pump.Read(out e);
        }
        if (_stopped) { e = default; return false; }
        // One input read to its end: its events straight to the taker, without the merge's head (a copy of the large
        // event less per event; issue 15). Decided on the first read, so a later StopAfter finds the reading as it was.
        _alone ??= _readers.Count == 1 && _stopAfterNs == long.MaxValue;
        if (_alone == true)
        {
            if (!ReadOnly(out e)) return false;
        }
        else if (!ReadMerged(out e)) return false;
        if (e.TimestampNs > _stopAfterNs) _stopped = true;
        return true;
    }

    private bool _stopped;
    private bool? _alone;

    /// <summary>As <see cref="Read"/>, the event by reference, good until the next read: once the reading runs on its own
    /// thread, the event where the pump's batch holds it, not copied (issue 15). A null reference at the end
    /// (<see cref="System.Runtime.CompilerServices.Unsafe.IsNullRef{T}(ref readonly T)"/>).</summary>
    public ref readonly TraceEvent Next()
    {
        if (_pump is not null) return ref _pump.Next();
        if (!Read(out _inPlace)) return ref System.Runtime.CompilerServices.Unsafe.NullRef<TraceEvent>();
        return ref _inPlace;
    }

    private TraceEvent _inPlace;

    /// <summary>True once the reading went on on threads of its own (<see cref="TraceSessionOptions.Parallelism"/>): the
    /// merge on the pump's, or the decoding of runs of lines on the decoding threads.</summary>
    public bool ReadsInParallel => _pump is not null || _readers.Exists(r => r.ReadsInRuns);

    /// <summary>A reading of the merged events (<see cref="ReadMerged"/>), for the pump.</summary>
    internal delegate bool MergedReader(out TraceEvent e);

    private bool ReadMerged(out TraceEvent e)
    {
        if (!_started)
        {
            _started = true;
            _heads = new TraceEvent[_readers.Count];
            _hasHead = new bool[_readers.Count];
            for (int i = 0; i < _readers.Count; i++) _hasHead[i] = _readers[i].Read(out _heads[i]);
        }
        int best = -1;
        for (int i = 0; i < _heads.Length; i++)
            if (_hasHead[i] && (best < 0 || _heads[i].TimestampNs < _heads[best].TimestampNs)) best = i;
        if (best < 0) { e = default; return false; }
        e = _heads[best];
        _hasHead[best] = _readers[best].Read(out _heads[best]);
        return true;
    }

    /// <summary>The merge of one input read to its end (the pump's, with no <see cref="StopAfter"/>): the input's events
    /// straight into the pump's batch, without the head each input keeps for the merge (an event of several hundred
    /// bytes copied once more). The head already taken (before the pump started) goes first. What is read is the same:
    /// the pump reads to the end whoever takes the events, so reading one event less ahead changes no summary.</summary>
    private bool ReadOnly(out TraceEvent e)
    {
        if (!_started)
        {
            _started = true;
            _heads = new TraceEvent[1];
            _hasHead = new bool[1];
        }
        else if (_hasHead[0])
        {
            e = _heads[0];
            _heads[0] = default;
            _hasHead[0] = false;
            return true;
        }
        return _readers[0].Read(out e);
    }

    /// <summary>Bytes read so far from all inputs (decompressed), for progress.</summary>
    public long BytesRead => _readers.Sum(r => r.BytesRead);

    /// <summary>The path an event came from.</summary>
    public string PathOf(in TraceEvent e) => _inputs[e.Source.Input].Path;

    public void Dispose()
    {
        _pump?.Dispose();
        foreach (var r in _readers) r.Dispose();
        if (_decodeWorkers is { IsValueCreated: true } workers) workers.Value.Dispose();
        Tables.Dispose();
    }
}
