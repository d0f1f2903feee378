using System.Globalization;
using VimDense.Datasets.Loading;
using VimDense.Engine;

namespace VimDense.Experiments;

/// <summary>
/// An infinite training loader as a resumable batch source: the state is the sampler's (epoch, position) after
/// the last batch handed out; restoring restarts the loader there (per-sample seeds make the batches identical).
/// </summary>
/// <param name="createLoader">Builds the training loader from options (whose <c>Start</c> says where to begin).</param>
public sealed class LoaderBatchSource<TSample, TBatch>(Func<DataLoaderOptions, DataLoader<TSample, TBatch>> createLoader,
    DataLoaderOptions options) : IResumableBatchSource<TBatch>, IDisposable
    where TBatch : class, IDisposable
{
    private DataLoader<TSample, TBatch> loader = createLoader(options);
    private TBatch? previous;

    public TBatch Next()
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
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var position))
            throw new InvalidDataException($"metadata field 'data_state' is '{(state.Length <= 40 ? state : state[..40] + "…")}', expected 'epoch,position'");
        var start = new SamplerState(epoch, position);
        loader.Dispose();
        loader = createLoader(options with { Start = start });
    }

    public void Dispose()
    {
        previous?.Dispose();
        loader.Dispose();
    }
}
