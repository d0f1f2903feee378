namespace VimDense.Heads.Necks;

/// <summary>Detection FPN settings (Feature2Pyramid from four equal maps, then FPN and P6); config type "fpn" of a detector.</summary>
public sealed record DetectionFpnOptions
{
    public int OutChannels { get; init; } = 256;
    /// <summary>Norm of the deconvolution pyramid under the FPN: BN, SyncBN (identical in one process) or none.</summary>
    public string Norm { get; init; } = "SyncBN";
    /// <summary>Recompute the neck in backward (model.neck.checkpoint); needs a norm without running statistics (none).</summary>
    public bool Checkpoint { get; init; }
}
