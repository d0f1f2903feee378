using System.Globalization;
using VimDense.Datasets;
using VimDense.Datasets.Loading;
using VimDense.Engine;

namespace VimDense.Cli.Experiments;

/// <summary>
/// The infinite training loader as a resumable batch source: the state is the sampler's (epoch, position) after
/// the last batch handed out; restoring restarts the loader there (per-sample seeds make the batches identical).
/// </summary>
internal sealed class LoaderBatchSource(IDataset<SegmentationSample> dataset, DataLoaderOptions options)
    : IResumableBatchSource<SegmentationBatch>, IDisposable
{
    private DataLoader<SegmentationSample, SegmentationBatch> loader = DataSetup.SegmentationLoader(dataset, options, train: true);
    private SegmentationBatch? previous;

    public SegmentationBatch Next()
    {
        // The trainer uses a batch only within its step: free the previous one when the next is asked for.
        previous?.Dispose();
        previous = loader.Next() ?? throw new InvalidOperationException("the training loader ended");
        return previous;
    }

    public string SaveState() => FormattableString.Invariant($"{loader.State.Epoch},{loader.State.Position}");

    public void RestoreState(string state)
    {
        var parts = state.Split(',');
        var start = new SamplerState(int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
        loader.Dispose();
        loader = DataSetup.SegmentationLoader(dataset, options with { Start = start }, train: true);
    }

    public void Dispose()
    {
        previous?.Dispose();
        loader.Dispose();
    }
}
