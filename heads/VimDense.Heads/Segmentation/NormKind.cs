namespace VimDense.Heads.Segmentation;

/// <summary>
/// Normalisation used by the convolutional heads and necks. The reference configs ask for SyncBN (mmseg's neck and
/// heads): <see cref="SyncBatchNorm"/> builds <see cref="Layers.SyncBatchNorm2d"/>, whose statistics are those of
/// every rank's batch in data-parallel training and which computes exactly BatchNorm2d in one process.
/// </summary>
public enum NormKind
{
    BatchNorm,
    SyncBatchNorm,
    None,
}
