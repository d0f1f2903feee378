namespace VimDense.Heads.Segmentation;

/// <summary>FCN head settings (mmseg FCNHead, the usual auxiliary head); config type "fcn".</summary>
public sealed record FcnHeadOptions : DecodeHeadOptions
{
    public int Channels { get; init; } = 512;
    /// <summary>Feature map the head reads (2 = stride 16 of four maps; −1 = the last).</summary>
    public int InIndex { get; init; } = -1;
    /// <summary>Number of 3×3 convs; and whether the input is concatenated before the classifier.</summary>
    public int NumConvs { get; init; } = 1;
    public bool ConcatInput { get; init; }
    public double DropoutRatio { get; init; } = 0.1;
    /// <summary>BN, SyncBN (identical in one process) or none.</summary>
    public string Norm { get; init; } = "SyncBN";
}
