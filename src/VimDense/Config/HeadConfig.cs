namespace VimDense.Config;

/// <summary>A decode or auxiliary head by name: upernet, fcn, segmenter, semantic_fpn, or none.</summary>
public sealed class HeadConfig
{
    public string Type { get; set; } = "upernet";
    public int Channels { get; set; } = 512;
    public List<int> PoolScales { get; set; } = [1, 2, 3, 6];
    public double DropoutRatio { get; set; } = 0.1;
    public string Norm { get; set; } = "SyncBN";
    public double LossWeight { get; set; } = 1.0;
    /// <summary>Feature map used by single-input heads (fcn: 2 = stride 16; segmenter: −1 = last).</summary>
    public int InIndex { get; set; } = -1;
    /// <summary>fcn: number of 3×3 convs; and whether the input is concatenated before the classifier.</summary>
    public int NumConvs { get; set; } = 1;
    public bool ConcatInput { get; set; }
    /// <summary>segmenter: transformer layers, heads, width, MLP ratio, stochastic depth.</summary>
    public int NumLayers { get; set; } = 2;
    public int NumHeads { get; set; } = 3;
    public int EmbedDims { get; set; } = 192;
    public double MlpRatio { get; set; } = 4;
    public double DropPathRate { get; set; } = 0.1;
}
