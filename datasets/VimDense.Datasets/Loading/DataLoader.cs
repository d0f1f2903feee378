namespace VimDense.Datasets.Loading;

/// <summary>
/// Builds batches on worker threads with a bounded prefetch window and hands them out in order.
/// Batch k always holds the sampler items [k·B, (k+1)·B) (of this rank's share in data-parallel training:
/// <see cref="DistributedSampler"/>) and each sample is augmented with a RNG seeded by
/// (seed, epoch, index), so the stream of batches is identical for any number of workers.
/// Infinite (training, shuffled per epoch, resumable through <see cref="State"/>) or one pass in order
/// (<see cref="DataLoaderOptions.Shuffle"/> false and <c>singlePass</c>: evaluation; the last batch may be short).
/// </summary>
public sealed class DataLoader<TSample, TBatch> : IDisposable where TBatch : class
{
    private readonly IDataset<TSample> _dataset;
    private readonly Func<IReadOnlyList<TSample>, TBatch> _collate;
    private readonly DistributedSampler _sampler;
    private readonly bool _singlePass;
    private readonly Action<string> _log;
    private readonly object _gate = new();
    private readonly Dictionary<long, BatchResult> _ready = [];
    private readonly Dictionary<int, int> _skippedPerEpoch = [];
    private readonly List<Thread> _threads = [];
    private long _nextToClaim, _nextToHand;
    private bool _stopping;
    private int _lastEpochSeen;
    private int _passRemaining;

    public DataLoader(IDataset<TSample> dataset, Func<IReadOnlyList<TSample>, TBatch> collate, DataLoaderOptions options,
        bool singlePass = false, Action<string>? log = null)
    {
        if (options.BatchSize < 1) throw new ArgumentException($"batch size must be >= 1 (got {options.BatchSize})");
        if (options.Workers < 1) throw new ArgumentException($"workers must be >= 1 (got {options.Workers})");
        if (options.Prefetch < 1) throw new ArgumentException($"prefetch must be >= 1 (got {options.Prefetch})");
        _dataset = dataset;
        _collate = collate;
        Options = options;
        _singlePass = singlePass;
        _log = log ?? (message => Console.Error.WriteLine(message));
        if (singlePass && options.WorldSize > 1) throw new ArgumentException("a single-pass loader reads the whole data set: split evaluation by index instead of by rank");
        _sampler = new DistributedSampler(dataset.Count, options.Seed, options.Shuffle, options.Start, options.Rank, options.WorldSize);
        State = options.Start;
        _lastEpochSeen = options.Start.Epoch;
        _passRemaining = dataset.Count - options.Start.Position;
        for (var w = 0; w < options.Workers; w++)
        {
            var thread = new Thread(WorkerLoop) { IsBackground = true, Name = $"vimdense-loader-{w}" };
            _threads.Add(thread);
            thread.Start();
        }
    }

    public DataLoaderOptions Options { get; }

    /// <summary>Sampler state after the last batch returned by <see cref="Next"/>: pass it as Start to resume.</summary>
    public SamplerState State { get; private set; }

    /// <summary>Bad samples skipped so far, per epoch (only batches already handed out count).</summary>
    public IReadOnlyDictionary<int, int> SkippedPerEpoch
    {
        get { lock (_gate) return new Dictionary<int, int>(_skippedPerEpoch); }
    }

    /// <summary>
    /// The next batch, waiting for it if needed; null after the last batch of a single pass. Rethrows the
    /// error of a sample that failed (unless skipping bad samples).
    /// </summary>
    public TBatch? Next()
    {
        while (true)
        {
            BatchResult result;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_stopping, this);
                while (!_ready.ContainsKey(_nextToHand)) Monitor.Wait(_gate);
                result = _ready[_nextToHand];
                _ready.Remove(_nextToHand);
                _nextToHand++;
                Monitor.PulseAll(_gate);
                if (result.End) return null;
                foreach (var epoch in result.SkippedEpochs)
                    _skippedPerEpoch[epoch] = _skippedPerEpoch.GetValueOrDefault(epoch) + 1;
                State = result.StateAfter;
            }
            if (result.Error is not null) throw result.Error;
            ReportFinishedEpochs(result.FirstEpoch);
            if (result.Batch is not null) return result.Batch;
            // Every sample of this batch was bad and skipped: go on with the next one.
        }
    }

    private void ReportFinishedEpochs(int epochNow)
    {
        if (!Options.SkipBadSamples) { _lastEpochSeen = epochNow; return; }
        for (; _lastEpochSeen < epochNow; _lastEpochSeen++)
            _log($"data: epoch {_lastEpochSeen} finished, {_skippedPerEpoch.GetValueOrDefault(_lastEpochSeen)} bad sample(s) skipped");
    }

    private void WorkerLoop()
    {
        while (true)
        {
            long number;
            (int Epoch, int Index)[] items;
            SamplerState after;
            lock (_gate)
            {
                while (!_stopping && _nextToClaim >= _nextToHand + Options.Prefetch) Monitor.Wait(_gate);
                if (_stopping) return;
                number = _nextToClaim++;
                items = Plan(out after);
            }
            var result = items.Length == 0 ? new BatchResult { End = true } : Build(items, after);
            lock (_gate)
            {
                if (_stopping) { (result.Batch as IDisposable)?.Dispose(); return; }
                _ready[number] = result;
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>Draws the sampler items of the next batch (called under the lock, in batch order).</summary>
    private (int Epoch, int Index)[] Plan(out SamplerState after)
    {
        var count = _singlePass ? Math.Min(Options.BatchSize, _passRemaining) : Options.BatchSize;
        _passRemaining -= count;
        var items = new (int, int)[count];
        for (var i = 0; i < count; i++) items[i] = _sampler.Next();
        after = _sampler.State;
        return items;
    }

    private BatchResult Build((int Epoch, int Index)[] items, SamplerState after)
    {
        var samples = new List<TSample>(items.Length);
        var skipped = new List<int>();
        try
        {
            foreach (var (epoch, index) in items)
            {
                var rng = new Random(SampleSeeds.ForSample(Options.Seed, epoch, index));
                try { samples.Add(_dataset.Get(index, rng)); }
                catch (BadSampleException e) when (Options.SkipBadSamples)
                {
                    skipped.Add(epoch);
                    _log($"data: skipped bad sample {index}: {e.Message}");
                }
            }
            var batch = samples.Count == 0 ? null : _collate(samples);
            return new BatchResult { Batch = batch, StateAfter = after, SkippedEpochs = skipped, FirstEpoch = items[0].Epoch };
        }
        catch (Exception e)
        {
            return new BatchResult { Error = e, StateAfter = after, SkippedEpochs = skipped, FirstEpoch = items[0].Epoch };
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopping) return;
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        foreach (var thread in _threads) thread.Join();
        foreach (var result in _ready.Values) (result.Batch as IDisposable)?.Dispose();
        _ready.Clear();
    }

    private sealed class BatchResult
    {
        public TBatch? Batch { get; init; }
        public Exception? Error { get; init; }
        public bool End { get; init; }
        public SamplerState StateAfter { get; init; }
        public List<int> SkippedEpochs { get; init; } = [];
        public int FirstEpoch { get; init; }
    }
}
