namespace VimDense.Heads.Segmentation;

/// <summary>
/// Normalisation used by the convolutional heads and necks. The reference configs ask for SyncBN; VimDense
/// trains in one process, where synchronised batch norm computes exactly what plain batch norm computes,
/// so <see cref="SyncBatchNorm"/> is accepted for config parity and builds the same BatchNorm2d.
/// </summary>
public enum NormKind
{
    BatchNorm,
    SyncBatchNorm,
    None,
}
