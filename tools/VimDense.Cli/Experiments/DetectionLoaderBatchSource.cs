using System.Globalization;
using VimDense.Datasets;
using VimDense.Datasets.Loading;
using VimDense.Engine;

namespace VimDense.Cli.Experiments;

/// <summary>
/// The infinite detection training loader as a resumable batch source (same contract as
/// <see cref="LoaderBatchSource"/>): the state is the sampler's (epoch, position) after the last batch.
/// </summary>
internal sealed class DetectionLoaderBatchSource(IDataset<DetectionSample> dataset, DataLoaderOptions options, int imageSize, bool masks)
    : IResumableBatchSource<DetectionBatch>, IDisposable
{
    private DataLoader<DetectionSample, DetectionBatch> loader = DataSetup.DetectionLoader(dataset, options, train: true, imageSize, masks);
    private DetectionBatch? previous;

    public DetectionBatch Next()
    {
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
        loader = DataSetup.DetectionLoader(dataset, options with { Start = start }, train: true, imageSize, masks);
    }

    public void Dispose()
    {
        previous?.Dispose();
        loader.Dispose();
    }
}
