namespace VimDense.Engine;

/// <summary>
/// An endless stream of training batches whose position can be saved and restored, so a resumed run sees exactly
/// the batches an uninterrupted one would have seen.
/// </summary>
public interface IResumableBatchSource<out TBatch>
{
    TBatch Next();

    /// <summary>Opaque text describing the position (sampler epoch/offset, seeds).</summary>
    string SaveState();

    void RestoreState(string state);
}
